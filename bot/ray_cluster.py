"""Ray for `quotebot ingest --ray`: import it (an optional extra), join a cluster or start a
local instance on 127.0.0.1, and size a worker's torch threads to the CPUs Ray gave it."""

from __future__ import annotations

import logging
import os
from typing import Any

from store.errors import ConfigError, StoreError

# Object store of a local instance: blocks here are file paths, articles and small report rows.
LOCAL_OBJECT_STORE_BYTES = 512 * 1024**2


def import_ray(local: bool) -> Any:
    """Ray (an optional extra); ``local``: a Ray instance of this machine alone, on 127.0.0.1
    (set before Ray is first imported: Ray otherwise takes the machine's network address)."""
    if local:
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
        import ray.data  # noqa: F401 - the extra installs both
    except ImportError as e:
        raise ConfigError(
            "`--ray` needs Ray, which is an optional extra: pip install 'quotebot[ray]'."
        ) from e
    return ray


def connect_ray(ray: Any, address: str | None, workers: int) -> bool:
    """Join the cluster at ``address`` (or RAY_ADDRESS), or start a local instance with
    ``workers`` CPUs (all cores when 1); True when this call started Ray."""
    if ray.is_initialized():
        return False
    quiet: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    try:
        if address and address != "local":
            ray.init(address=address, **quiet)
        else:
            start_local(ray, workers, **quiet)
    except Exception as e:  # ConnectionError, RuntimeError, ValueError from ray.init
        where = address or "a local instance"
        raise StoreError(f"Cannot start or join Ray at {where}: {first_line(e)}") from e
    return True


def start_local(ray: Any, workers: int, **options: Any) -> None:
    """A Ray instance of this machine with ``workers`` CPUs (all when 1), a small object store
    and no dashboard (import Ray with ``import_ray(local=True)`` to keep it on 127.0.0.1)."""
    ray.init(
        address="local",
        num_cpus=workers if workers > 1 else os.cpu_count(),
        object_store_memory=LOCAL_OBJECT_STORE_BYTES,
        include_dashboard=False,
        **options,
    )


def cluster_cpus(ray: Any) -> int:
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def one_thread_per_cpu() -> None:
    """torch in a worker uses the CPUs Ray gave it, not every core of the node."""
    import ray
    import torch

    cpus = ray.get_runtime_context().get_assigned_resources().get("CPU", 1)
    torch.set_num_threads(max(1, int(cpus)))


def first_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    return text.splitlines()[-1] if "Traceback" in text else text.splitlines()[0]
