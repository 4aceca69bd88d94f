"""The environment-file parsers, one format at a time: what each pins, exactly, with positions."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paperlink.source.environment.conda import parse_conda_file, parse_conda_lock, parse_conda_spec
from paperlink.source.environment.docker import parse_dockerfile
from paperlink.source.environment.locks import parse_pipfile_lock, parse_python_version, parse_toml_lock
from paperlink.source.environment.model import point
from paperlink.source.environment.names import distribution_name, normalize, providers
from paperlink.source.environment.packaging_files import parse_pipfile, parse_pyproject, parse_setup_cfg, parse_setup_py
from paperlink.source.environment.requirements import Requirement, is_exact, parse_requirement, parse_requirements_file
from paperlink.source.environment.versions import cuda_in_url, cuda_of_tag, is_fixed
from paperlink.spans import Span


def _pins(parsed) -> list[tuple[str, str, bool, int]]:
    return [(pin.package, pin.spec, pin.exact, pin.span.line) for pin in parsed.pins]


def _versions(parsed) -> list[tuple[str, str, bool, int]]:
    return [(v.name, v.version, v.fixed, v.span.line) for v in parsed.versions]


# --- one requirement ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("torch", Requirement("torch")),
        ("torch==2.1.0+cu118", Requirement("torch", spec="==2.1.0+cu118")),
        (
            "numpy >= 1.2, <2 ; python_version < '3.9'",
            Requirement("numpy", spec=">=1.2,<2", marker="python_version < '3.9'"),
        ),
        ("foo[bar, baz]~=1.0", Requirement("foo", ("bar", "baz"), "~=1.0")),
        ("torch (>=1.0)", Requirement("torch", spec=">=1.0")),
        ("x @ git+https://github.com/o/x@3f2a9c1", Requirement("x", url="git+https://github.com/o/x@3f2a9c1")),
        ("jax[cuda12]==0.4.20", Requirement("jax", ("cuda12",), "==0.4.20")),
    ],
)
def test_a_requirement_is_read_into_its_parts(text: str, expected: Requirement) -> None:
    assert parse_requirement(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "column", "problem"),
    [
        ("(bad", 0, "expected a package name"),
        ("torch=1.0", 5, "'=' is conda's spelling; pip's is '=='"),
        ("torch>=", 7, "expected a version after '>='"),
        ("requests[", 9, "expected an extra's name or ']'"),
        ("a b", 2, "expected a version specifier such as '==1.0'"),
        ("torch (>=1.0", 12, "expected ')'"),
        ("torch ;", 7, "expected an environment marker after ';'"),
    ],
)
def test_an_unreadable_requirement_says_where_and_why(text: str, column: int, problem: str) -> None:
    assert parse_requirement(text) == (None, (column, problem))


@given(st.text(max_size=60))
def test_the_requirement_reader_never_raises(text: str) -> None:
    requirement, problem = parse_requirement(text)
    assert (requirement is None) != (problem is None)
    if problem is not None:
        assert 0 <= problem[0] <= len(text)


_NAMES = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?", fullmatch=True)
_CLAUSES = st.lists(
    st.tuples(
        st.sampled_from(["==", ">=", "<=", "~=", "!=", "<", ">", "==="]),
        st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}(\.\*)?", fullmatch=True),
    ),
    max_size=3,
)


@given(_NAMES, _CLAUSES, st.sampled_from(["", " ", "  "]))
def test_name_and_specifier_round_trip(name: str, clauses: list[tuple[str, str]], blank: str) -> None:
    spec = ",".join(operator + version for operator, version in clauses)
    written = blank.join(
        [
            name,
            *(
                f"{op}{blank}{version}" if i == 0 else f",{blank}{op}{version}"
                for i, (op, version) in enumerate(clauses)
            ),
        ]
    )
    requirement, problem = parse_requirement(written)
    assert problem is None, written
    assert (requirement.name, requirement.spec) == (name, spec)


@pytest.mark.parametrize(
    ("spec", "exact"),
    [
        ("==2.1.0", True),
        ("===2.1.0", True),
        ("==2.1.*", False),
        (">=2.1", False),
        ("", False),
        (">=1,==1.4.2", True),
    ],
)
def test_exact_means_one_version(spec: str, exact: bool) -> None:
    assert is_exact(spec) is exact


# --- requirements files ---------------------------------------------------------------------


def test_a_requirements_file_with_options_continuations_urls_and_hashes() -> None:
    text = textwrap.dedent("""\
        # produced by pip freeze
        --extra-index-url=https://download.pytorch.org/whl/cu118?token=a=b
        -rbase.txt
        torch==2.1.0+cu118  # the CUDA 11.8 build
        numpy==1.26.4 \\
            --hash=sha256:abc
        einops>=0.7
        git+https://github.com/o/apex@3f2a9c1e#egg=apex
        timm @ git+https://github.com/huggingface/pytorch-image-models@main
        -e .
        ./vendored/package
        https://example.org/wheels/faiss_cpu-1.7.4-cp310-linux_x86_64.whl
        """)
    parsed = parse_requirements_file(text, "requirements.txt")
    assert _pins(parsed) == [
        ("torch", "==2.1.0+cu118", True, 4),
        ("numpy", "==1.26.4", True, 5),
        ("einops", ">=0.7", False, 7),
        ("apex", "@ git+https://github.com/o/apex@3f2a9c1e#egg=apex", True, 8),
        ("timm", "@ git+https://github.com/huggingface/pytorch-image-models@main", False, 9),
        ("faiss-cpu", "@ https://example.org/wheels/faiss_cpu-1.7.4-cp310-linux_x86_64.whl", True, 12),
    ]
    assert _versions(parsed) == [
        ("cuda", "11.8", True, 2),
        ("torch", "2.1.0+cu118", True, 4),
        ("cuda", "11.8", True, 4),
    ]
    assert parsed.includes == ((3, "base.txt"),)
    assert parsed.versions[0].via == "https://download.pytorch.org/whl/cu118?token=a=b"
    assert parsed.problems == ()
    assert parsed.pins[0].span == Span("requirements.txt", 4, 1, 4, 19)


def test_unreadable_lines_are_problems_and_the_rest_is_read() -> None:
    parsed = parse_requirements_file("torch==2.1.0\n  numpy=1.26\n-r\nscipy\n", "r.txt")
    assert _pins(parsed) == [("torch", "==2.1.0", True, 1), ("scipy", "", False, 4)]
    assert parsed.problems == (
        (2, 8, "cannot read requirement 'numpy=1.26': '=' is conda's spelling; pip's is '=='"),
        (3, 1, "'-r' names no file"),
    )


# --- conda ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "package", "version", "exact"),
    [
        ("pytorch", "torch", "", False),
        ("pytorch=2.1.0", "torch", "=2.1.0", True),
        ("pytorch==2.1.0", "torch", "==2.1.0", True),
        ("pytorch=2.1.0=py3.10_cuda11.8_cudnn8.7.0_0", "torch", "=2.1.0=py3.10_cuda11.8_cudnn8.7.0_0", True),
        ("pytorch::pytorch=2.1.0", "torch", "=2.1.0", True),
        ("numpy 1.26.4 py310h5f9d8c6_0", "numpy", "1.26.4 py310h5f9d8c6_0", True),
        ("numpy>=1.24", "numpy", ">=1.24", False),
        ("numpy=1.26.*", "numpy", "=1.26.*", False),
        ("numpy >=1.24,<2", "numpy", ">=1.24,<2", False),
        ("py-opencv=4.8.0", "opencv-python", "=4.8.0", True),
        ("numpy[version='>=1.24']", "numpy", ">=1.24", False),
    ],
)
def test_conda_specs(spec: str, package: str, version: str, exact: bool) -> None:
    pin, problem = parse_conda_spec(spec, point("environment.yml", 1))
    assert problem is None
    assert (pin.package, pin.spec, pin.exact) == (package, version, exact)


def test_a_conda_environment_with_a_pip_list() -> None:
    text = textwrap.dedent("""\
        name: method
        channels: [pytorch, nvidia]
        dependencies:
          - python=3.10
          - pytorch=2.1.0
          - pytorch-cuda=11.8
          - numpy
          - pip
          - pip:
            - einops==0.7.0
            - --extra-index-url https://example.org
            - wandb>=0.15
        """)
    parsed = parse_conda_file(text, "environment.yml")
    assert _pins(parsed) == [
        ("torch", "=2.1.0", True, 5),
        ("pytorch-cuda", "=11.8", True, 6),
        ("numpy", "", False, 7),
        ("pip", "", False, 8),
        ("einops", "==0.7.0", True, 10),
        ("wandb", ">=0.15", False, 12),
    ]
    assert _versions(parsed) == [("python", "3.10", True, 4), ("torch", "2.1.0", True, 5), ("cuda", "11.8", True, 6)]
    assert parsed.pins[2].span == Span("environment.yml", 7, 5, 7, 10)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "dependencies:\n  - [numpy\n",
            (3, 1, "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 2)"),
        ),
        ("- numpy\n", (1, 1, "expected a mapping with 'dependencies' at the top level")),
        ("dependencies: numpy\n", (1, 15, "expected 'dependencies' to be a list")),
        ("dependencies:\n  - {numpy: 1}\n", (2, 5, "expected a dependency such as 'numpy=1.26' or a 'pip:' list")),
        ("dependencies:\n  - numpy=1.2 = = 3\n", (2, 5, "cannot read conda dependency 'numpy=1.2 = = 3'")),
    ],
)
def test_malformed_conda_files_are_problems_at_positions(text: str, problem: tuple[int, int, str]) -> None:
    assert parse_conda_file(text, "environment.yml").problems == (problem,)


def test_a_conda_lock_file_pins_everything() -> None:
    text = "version: 1\npackage:\n  - name: pytorch\n    version: 2.1.0\n    manager: conda\n  - name: einops\n    version: 0.7.0\n    manager: pip\n"
    assert _pins(parse_conda_lock(text, "conda-lock.yml")) == [
        ("torch", "=2.1.0", True, 3),
        ("einops", "=0.7.0", True, 6),
    ]


# --- packaging metadata ---------------------------------------------------------------------


def test_pyproject_dependencies_are_found_at_their_lines() -> None:
    text = textwrap.dedent("""\
        [build-system]
        requires = ["hatchling"]

        [project]
        name = "method"
        requires-python = ">=3.10,<3.11"
        dependencies = [
            "torch==2.1.0",
            "numpy>=1.24",
        ]

        [project.optional-dependencies]
        logging = ["wandb"]
        """)
    parsed = parse_pyproject(text, "pyproject.toml")
    assert _pins(parsed) == [("torch", "==2.1.0", True, 8), ("numpy", ">=1.24", False, 9), ("wandb", "", False, 13)]
    assert _versions(parsed) == [("python", ">=3.10,<3.11", True, 6), ("torch", "2.1.0", True, 8)]


def test_poetry_dependencies() -> None:
    text = '[tool.poetry.dependencies]\npython = "~3.10"\ntorch = "2.1.0"\nnumpy = "^1.24"\nscipy = { version = "1.11.4", optional = true }\ntqdm = "*"\n'
    parsed = parse_pyproject(text, "pyproject.toml")
    assert _pins(parsed) == [
        ("torch", "2.1.0", True, 3),
        ("numpy", "^1.24", False, 4),
        ("scipy", "1.11.4", True, 5),
        ("tqdm", "", False, 6),
    ]
    assert _versions(parsed)[0] == ("python", "~3.10", True, 2)


def test_invalid_toml_is_a_problem_at_its_position() -> None:
    assert parse_pyproject('[project]\nname = "x"\nname = "y"\n', "pyproject.toml").problems == (
        (3, 11, "invalid TOML: Cannot overwrite a value"),
    )


def test_setup_py_literals_are_read_and_nothing_is_run() -> None:
    text = textwrap.dedent("""\
        import setuptools
        REQUIRED = ["torch>=2.0", "numpy==1.26.4"]
        setuptools.setup(
            name="method",
            install_requires=REQUIRED,
            extras_require={"log": ["wandb==0.16.0"]},
            python_requires=">=3.8",
            tests_require=open("never-read.txt").read().split(),
        )
        """)
    parsed = parse_setup_py(text, "setup.py")
    assert _pins(parsed) == [
        ("torch", ">=2.0", False, 2),
        ("numpy", "==1.26.4", True, 2),
        ("wandb", "==0.16.0", True, 6),
    ]
    assert _versions(parsed) == [("python", ">=3.8", False, 7)]


def test_setup_cfg_lists() -> None:
    text = "[metadata]\nname = method\n\n[options]\npython_requires = ==3.10.*\ninstall_requires =\n    torch==2.1.0\n    numpy\n\n[options.extras_require]\nlog = wandb>=0.15\n"
    parsed = parse_setup_cfg(text, "setup.cfg")
    assert _pins(parsed) == [("torch", "==2.1.0", True, 7), ("numpy", "", False, 8), ("wandb", ">=0.15", False, 11)]
    assert _versions(parsed)[0] == ("python", "==3.10.*", True, 5)


def test_pipfile_and_its_lock() -> None:
    pipfile = '[packages]\ntorch = "==2.1.0"\nnumpy = "*"\n\n[requires]\npython_version = "3.10"\n'
    parsed = parse_pipfile(pipfile, "Pipfile")
    assert _pins(parsed) == [("torch", "==2.1.0", True, 2), ("numpy", "", False, 3)]
    assert _versions(parsed)[0] == ("python", "3.10", True, 6)
    lock = '{\n  "_meta": {"requires": {"python_version": "3.10"}},\n  "default": {\n    "numpy": {"version": "==1.26.4"}\n  }\n}\n'
    locked = parse_pipfile_lock(lock, "Pipfile.lock")
    assert _pins(locked) == [("numpy", "==1.26.4", True, 4)]
    assert _versions(locked) == [("python", "3.10", True, 1)]


# --- lock files and version files -----------------------------------------------------------


def test_toml_lock_files_are_read_line_by_line() -> None:
    text = 'version = 1\nrequires-python = ">=3.10"\n\n[[package]]\nname = "nvidia-cuda-runtime-cu12"\nversion = "12.1.105"\n\n[[package]]\nname = "Torch"\nversion = "2.1.0"\n\n[package.metadata]\nname = "not-a-package"\n'
    parsed = parse_toml_lock(text, "uv.lock")
    assert _pins(parsed) == [("nvidia-cuda-runtime-cu12", "==12.1.105", True, 5), ("torch", "==2.1.0", True, 9)]
    assert _versions(parsed) == [
        ("python", ">=3.10", False, 2),
        ("cuda", "12.1.105", True, 5),
        ("torch", "2.1.0", True, 9),
    ]


@pytest.mark.parametrize(
    ("text", "version", "fixed"),
    [("3.10.13\n", "3.10.13", True), ("# pyenv\npython-3.11\n", "3.11", True), ("3\n", "3", False)],
)
def test_python_version_files(text: str, version: str, fixed: bool) -> None:
    [recorded] = parse_python_version(text, ".python-version").versions
    assert (recorded.version, recorded.fixed) == (version, fixed)


# --- Dockerfiles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "versions"),
    [
        ("pytorch/pytorch:2.1.0-cuda11.8-cudnn8-runtime", [("torch", "2.1.0"), ("cuda", "11.8")]),
        ("nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04", [("cuda", "11.8.0")]),
        ("python:3.10-slim", [("python", "3.10")]),
        ("docker.io/python:3.11.6@sha256:0123", [("python", "3.11.6")]),
        ("nvcr.io/nvidia/pytorch:23.10-py3", [("python", "NGC 23.10"), ("torch", "NGC 23.10"), ("cuda", "NGC 23.10")]),
        ("pytorch/pytorch:latest", []),
        ("continuumio/miniconda3", []),
    ],
)
def test_base_images(image: str, versions: list[tuple[str, str]]) -> None:
    parsed = parse_dockerfile(f"# base\nFROM --platform=linux/amd64 {image} AS base\n", "Dockerfile")
    assert [(v.name, v.version) for v in parsed.versions if v.via.startswith("FROM")] == versions


def test_run_lines_install_packages() -> None:
    text = textwrap.dedent("""\
        FROM python:3.10-slim
        RUN apt-get update && pip install --no-cache-dir \\
              torch==2.1.0 --extra-index-url https://download.pytorch.org/whl/cu118 \\
              "numpy>=1.24" && rm -rf /root/.cache
        RUN conda install -y -c pytorch pytorch-cuda=11.8 einops
        RUN echo "pip install not-a-package"
        """)
    parsed = parse_dockerfile(text, "Dockerfile")
    assert _pins(parsed) == [
        ("torch", "==2.1.0", True, 2),
        ("numpy", ">=1.24", False, 2),
        ("pytorch-cuda", "=11.8", True, 5),
        ("einops", "", False, 5),
    ]
    assert [(v.name, v.version) for v in parsed.versions] == [
        ("python", "3.10"),
        ("cuda", "11.8"),
        ("torch", "2.1.0"),
        ("cuda", "11.8"),
    ]


def test_an_unsplittable_run_line_is_a_problem() -> None:
    assert parse_dockerfile('FROM python:3.10\nRUN pip install "torch\n', "Dockerfile").problems == (
        (2, 1, "cannot split RUN command: No closing quotation"),
    )


# --- names and versions ---------------------------------------------------------------------


def test_names() -> None:
    assert normalize("Scikit_Learn.Extra") == "scikit-learn-extra"
    assert distribution_name("pytorch", conda=True) == "torch"
    assert distribution_name("pytorch") == "pytorch"  # on PyPI, "pytorch" is another (empty) package
    assert providers("cv2")[:2] == ("opencv-python", "opencv-python-headless")
    assert providers("einops") == ("einops",)


@pytest.mark.parametrize(
    ("spec", "fixed"),
    [
        ("3.10", True),
        ("==3.10.*", True),
        ("~=3.10.4", True),
        ("~=3.10", False),
        (">=3.8", False),
        (">=3.10,<3.11", True),
        (">=3.8, <3.11", False),
        ("^3.8", False),
        ("3.*", False),
        ("~3.10", True),
        ("=3.10", True),
        ("", False),
    ],
)
def test_fixed_versions(spec: str, fixed: bool) -> None:
    assert is_fixed(spec) is fixed


def test_cuda_versions_from_urls_and_tags() -> None:
    assert cuda_in_url("https://download.pytorch.org/whl/cu121") == "12.1"
    assert cuda_in_url("https://download.pytorch.org/whl/cpu") is None
    assert cuda_of_tag("2.1.0-cuda11.8-cudnn8-runtime") == "11.8"
    assert cuda_of_tag("py3.10_cuda11.8_cudnn8.7.0_0") == "11.8"
    assert re.fullmatch(r"\d+\.\d", cuda_of_tag("==2.1.0+cu118") or "")


_PARSERS = [
    parse_requirements_file,
    parse_conda_file,
    parse_conda_lock,
    parse_pyproject,
    parse_setup_py,
    parse_setup_cfg,
    parse_pipfile,
    parse_pipfile_lock,
    parse_toml_lock,
    parse_python_version,
    parse_dockerfile,
]
_PIECES = list("abc019=<>~!^*.,;:[]{}()@#\"'-_ \t\n\\|/+") + [
    "pip",
    "FROM ",
    "RUN pip install ",
    "dependencies:",
    "\n  - ",
    "[project]\n",
]
_MANIFEST_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@pytest.mark.parametrize("parser", _PARSERS, ids=lambda parser: parser.__name__)
@given(text=_MANIFEST_TEXT)
def test_no_parser_raises_on_any_text(parser, text: str) -> None:
    parsed = parser(text, "f")
    for line, column, message in parsed.problems:
        assert line >= 1 and column >= 1 and message
