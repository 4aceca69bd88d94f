"""PL505-PL506: the environment a result needs, found by :mod:`paperlink.analysis.environment`."""

from __future__ import annotations

from paperlink.diagnostics import Severity
from paperlink.rules.base import Rule

__all__ = ["UnpinnedEnvironment", "UnrecordedPlatformVersion"]


class UnpinnedEnvironment(Rule):
    """
    ## What it does
    Compares the third-party packages the checked code imports (`import torch`,
    `from sklearn import metrics`; not the standard library, not the project's own
    modules) with the environment files at the project root: `requirements*.txt` and
    `requirements/*.txt` (with their `-r` includes), conda's `environment.yml`,
    `pyproject.toml`, `setup.py`, `setup.cfg`, `Pipfile`, Dockerfiles and lock files
    (`uv.lock`, `poetry.lock`, `pdm.lock`, `Pipfile.lock`, `conda-lock.yml`). It reports:

    * a project with no environment file at all, once, at the first third-party import;
    * an imported package that environment files list only without one version
      (`torch`, `torch>=1.7`, conda's `pytorch`, a Git URL at a branch), at each such line;
    * an imported package that no environment file lists, at its first import.

    A package counts as pinned when any file names one version: `==2.1.0`, conda's
    `=2.1.0` or `=2.1.0=build`, poetry's `"2.1.0"`, a lock file's entry, a VCS URL at a
    commit, a `FROM pytorch/pytorch:2.1.0-...` image for torch. Import names are matched to
    distributions after PEP 503 normalisation, with conda's names (`pytorch` is `torch`)
    and a table of modules whose distribution is named otherwise (`cv2`: `opencv-python`,
    `sklearn`: `scikit-learn`, `PIL`: `pillow`, `yaml`: `pyyaml`, ...). Imports guarded
    by `try: ... except ImportError` or `if TYPE_CHECKING:` are optional and not reported;
    test files are not read, and `import paperlink` (its markers do nothing at run time)
    needs no pin.

    ## Why it matters
    The same code gives different numbers under different library versions: default
    arguments change (`torch.meshgrid`'s indexing, Adam's epsilon handling in some
    libraries), kernels change, and an environment installed a year later from `torch`
    alone is not the one the paper's results came from.

    ## Example
    ```yaml
    # environment.yml
    dependencies:
      - python=3.10
      - pytorch        # PL505: torch is imported but environment.yml does not pin its version
    ```

    ## How to document it
    Pin the versions the results were produced with (`pytorch=2.1.0`, `torch==2.1.0`), or
    commit a lock file (`uv lock`, `poetry lock`, `conda-lock`, `pip freeze >
    requirements.txt`). To accept an unpinned line, write `# paperlink: ignore[PL505]
    reason` on it (requirements files, YAML, TOML and Dockerfiles take `#` comments);
    for a package reported at an import, write it on the import. `ignore = ["PL505"]`
    in `[tool.paperlink]` turns the rule off for the project.

    ## Known limits
    Only the files at the project root, in its `requirements/`, `docker/`, `environment/`
    and `env/` folders and in the checked folders are read. The import-name table is
    small: a distribution whose import name differs and is not in it is reported as
    unlisted. conda's `=2.1` counts as one version although conda reads it as `2.1.*`.
    Packages installed by shell scripts or READMEs are not seen.
    """

    code = "PL505"
    name = "unpinned-environment"
    severity = Severity.WARNING
    summary = "an imported package whose version no environment file pins"
    analysis = "environment"


class UnrecordedPlatformVersion(Rule):
    """
    ## What it does
    Reports a project whose environment files do not record the Python version, and,
    when the code uses CUDA (`.cuda()`, `torch.cuda.*`, a `"cuda"` or `"cuda:0"`
    device string), the CUDA version. A version is recorded when it is fixed to at least
    major.minor by one of: `.python-version` or `runtime.txt`; `python=3.10` in
    `environment.yml`; `requires-python = "==3.10.*"` (or `~=3.10.4`, or a range within
    one minor release such as `>=3.10,<3.11`) in `pyproject.toml`, `python_requires` in
    `setup.py`/`setup.cfg`, `python_version` in a `Pipfile`; a `FROM python:3.10` image.
    CUDA: `pytorch-cuda=11.8`, `cudatoolkit=11.8` or `cuda-version` in `environment.yml`;
    `torch==2.1.0+cu118` or a PyTorch index URL ending in `/cu118`; a `FROM
    nvidia/cuda:11.8.0-...` or `pytorch/pytorch:2.1.0-cuda11.8-...` image; an exact
    `nvidia-cuda-runtime-cu12` in a lock file. NVIDIA's `nvcr.io/nvidia/pytorch:23.10-py3`
    fixes Python, torch and CUDA at once.

    One diagnostic for each missing version: for Python at the first environment file
    (at an open specifier such as `requires-python = ">=3.8"` when there is one), or at
    the first third-party import when there is no environment file; for CUDA at the
    first use of CUDA in the code. torch's own version is a package pin, reported by PL505.

    ## Why it matters
    Python versions change hashing, dictionary and `random` behaviour and which package
    versions install at all; CUDA and cuDNN versions change kernels and therefore the
    last bits of every GPU result. A reader who cannot tell which versions produced the
    paper's numbers cannot tell a reproduction failure from a version difference.

    ## Example
    ```toml
    [project]
    requires-python = ">=3.8"  # PL506: '>=3.8' does not fix a minor version
    ```

    ## How to document it
    Record the versions used for the results: a `.python-version` file, `python=3.10`
    and `pytorch-cuda=11.8` in `environment.yml`, or a Dockerfile `FROM` a tagged image.
    A `# paperlink: ignore[PL506] reason` comment on the reported line, or
    `ignore = ["PL506"]` in `[tool.paperlink]`, accepts the gap.

    ## Known limits
    Versions are read from tags and specifiers by convention: an image tag without a
    version (`latest`), or a CUDA version recorded only in a README, is not seen. A
    library meant to support many Python versions will rightly state a range; turn the
    rule off there.
    """

    code = "PL506"
    name = "unrecorded-platform-version"
    severity = Severity.WARNING
    summary = "the Python version, or the CUDA version the code uses, recorded in no environment file"
    analysis = "environment"
