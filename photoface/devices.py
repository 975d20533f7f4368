"""Which device runs the networks: the CPU, an NVIDIA GPU (CUDA) or Apple's GPU (MPS).

Only a question about a GPU imports torch (about 4 s): the CPU needs no probe,
so the window and a run with nothing to analyse stay light.
"""

from .errors import PhotofaceError

DEVICES = ("auto", "cpu", "cuda", "mps")  # auto: a CUDA GPU, else MPS, else the CPU
GPU_NAMES = {"cuda": "CUDA GPU", "mps": "Apple GPU (MPS)"}


def available_devices() -> list[str]:
    """The devices torch can run on here, the one ``auto`` takes first."""
    import torch

    found = ["cuda"] if torch.cuda.is_available() else []
    if torch.backends.mps.is_available():
        found.append("mps")
    return found + ["cpu"]


def resolve_device(name: str, choices: tuple[str, ...] = DEVICES) -> str:
    """The device ``name`` (one of ``choices``) means here; a GPU that is not there is a PhotofaceError."""
    if name not in choices:
        raise PhotofaceError(f"device must be one of {', '.join(choices)}, not {name!r}")
    if name == "cpu":
        return name
    present = available_devices()
    if name == "auto":
        return next(device for device in present if device in choices)
    if name not in present:
        raise PhotofaceError(f"No {GPU_NAMES[name]} is available to this torch: use --device cpu or auto.",
                             in_app=f"No {GPU_NAMES[name]} is available on this computer: choose Automatic or "
                                    "CPU in Settings.")
    return name


def describe_devices() -> list[str]:
    """What ``doctor`` shows: each device torch sees, GPUs by name and memory."""
    import torch

    described = []
    for device in available_devices():
        if device == "cuda":
            for index in range(torch.cuda.device_count()):
                gpu = torch.cuda.get_device_properties(index)
                described.append(f"cuda:{index} {gpu.name} ({gpu.total_memory / 2**30:.0f} GiB)")
        else:
            described.append(device)
    return described
