"""Package names: PEP 503 normalisation, conda's names for pip packages, and which
distribution provides an imported module (``cv2`` comes from ``opencv-python``)."""

from __future__ import annotations

import re

__all__ = ["normalize", "distribution_name", "providers"]

_SEPARATORS = re.compile(r"[-_.]+")

# conda packages that are pip's under another name
_CONDA_NAMES = {
    "pytorch": "torch",
    "pytorch-gpu": "torch",
    "pytorch-cpu": "torch",
    "py-opencv": "opencv-python",
    "opencv": "opencv-python",
    "libopencv": "opencv-python",
    "matplotlib-base": "matplotlib",
    "tensorflow-base": "tensorflow",
    "jax-cuda": "jax",
}

# imported module -> distributions that provide it, where the names differ after normalisation
_PROVIDERS: dict[str, tuple[str, ...]] = {
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "PIL": ("pillow", "pillow-simd"),
    "yaml": ("pyyaml",),
    "attr": ("attrs",),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "absl": ("absl-py",),
    "hydra": ("hydra-core",),
    "google": ("protobuf", "google-cloud-storage", "google-auth"),
    "tensorboardX": ("tensorboardx",),
    "OpenGL": ("pyopengl",),
    "serial": ("pyserial",),
    "zmq": ("pyzmq",),
    "fitz": ("pymupdf",),
    "Crypto": ("pycryptodome",),
    "pkg_resources": ("setuptools",),
    "mpl_toolkits": ("matplotlib",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "cupy": ("cupy", "cupy-cuda11x", "cupy-cuda12x"),
    "docx": ("python-docx",),
    "jaxlib": ("jaxlib", "jax"),
    "lightning": ("lightning", "pytorch-lightning"),
    "pytorch_lightning": ("pytorch-lightning", "lightning"),
    "tensorflow": ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-macos"),
    "gym": ("gym", "gymnasium"),
    "sentencepiece": ("sentencepiece",),
    "dotenv": ("python-dotenv",),
    "jwt": ("pyjwt",),
    "git": ("gitpython",),
    "magic": ("python-magic",),
    "lmdb": ("lmdb",),
    "wx": ("wxpython",),
    "Levenshtein": ("python-levenshtein", "levenshtein"),
    "mujoco_py": ("mujoco-py",),
    "atari_py": ("atari-py",),
    "tensorflow_datasets": ("tensorflow-datasets",),
    "MulticoreTSNE": ("multicoretsne",),
    "visdom": ("visdom",),
    "apex": ("apex",),
}


def normalize(name: str) -> str:
    """PEP 503: lower case, runs of ``-``, ``_`` and ``.`` as one ``-``."""
    return _SEPARATORS.sub("-", name).lower()


def distribution_name(written: str, conda: bool = False) -> str:
    """The normalised pip distribution a listed name installs (conda names mapped)."""
    name = normalize(written)
    return _CONDA_NAMES.get(name, name) if conda else name


def providers(module: str) -> tuple[str, ...]:
    """The normalised distributions that may provide the top-level module ``module``."""
    return _PROVIDERS.get(module, ()) + (normalize(module),)
