"""Permalinks to the code forge at the page's commit, from whatever the git remote says."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from paperlink.config import load_config
from paperlink.engine import check
from paperlink.report import render_html
from paperlink.report.forge import forge_from_remote
from paperlink.report.page import PageOptions, git_commit, git_forge
from tests.report.pagecheck import parse_page

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("remote", "permalink"),
    [
        ("https://github.com/acme/simsiam.git", f"https://github.com/acme/simsiam/blob/{COMMIT}/src/a.py#L7"),
        ("git@github.com:acme/simsiam.git", f"https://github.com/acme/simsiam/blob/{COMMIT}/src/a.py#L7"),
        ("ssh://git@github.com:22/acme/simsiam", f"https://github.com/acme/simsiam/blob/{COMMIT}/src/a.py#L7"),
        (
            "https://gitlab.com/group/sub/repo.git",
            f"https://gitlab.com/group/sub/repo/-/blob/{COMMIT}/src/a.py#L7",
        ),
        ("git@gitlab.example.org:g/r.git", f"https://gitlab.example.org/g/r/-/blob/{COMMIT}/src/a.py#L7"),
        ("https://user@bitbucket.org/team/r.git", f"https://bitbucket.org/team/r/src/{COMMIT}/src/a.py#lines-7"),
        ("git@bitbucket.org:team/r.git", f"https://bitbucket.org/team/r/src/{COMMIT}/src/a.py#lines-7"),
        ("https://codeberg.org/me/r.git", f"https://codeberg.org/me/r/src/commit/{COMMIT}/src/a.py#L7"),
        ("git@gitea.example.net:me/r.git", f"https://gitea.example.net/me/r/src/commit/{COMMIT}/src/a.py#L7"),
    ],
)
def test_known_forges_give_permalinks_at_the_commit(remote: str, permalink: str) -> None:
    forge = forge_from_remote(remote, COMMIT)
    assert forge is not None and forge.permalink("src/a.py", 7) == permalink


def test_a_project_inside_the_repository_and_odd_file_names_are_encoded() -> None:
    forge = forge_from_remote("git@github.com:acme/r.git", COMMIT, "code/my project/")
    assert forge is not None
    assert (
        forge.permalink('x "y"#.py', 3)
        == f"https://github.com/acme/r/blob/{COMMIT}/code/my%20project/x%20%22y%22%23.py#L3"
    )
    assert forge.permalink("a.ipynb") == f"https://github.com/acme/r/blob/{COMMIT}/code/my%20project/a.ipynb"
    assert forge.commit_url == f"https://github.com/acme/r/commit/{COMMIT}"


@pytest.mark.parametrize(
    "remote",
    [
        "https://example.com/acme/r.git",  # not a known forge
        "/srv/git/r.git",
        "../r",
        "https://github.com/acme/r/extra",  # GitHub has no nested groups
        'https://github.com/acme/r"><script>alert(1)</script>',
        "https://github.com/acme/r.git#<img src=x onerror=alert(2)>",
        "javascript:alert(3)//github.com/a/b",
        "https://github.com/../../evil",
        "https://github.com/a/b c",
        "git@github.com:acme/r.git\n<script>",
        "",
    ],
)
def test_other_or_hostile_remotes_give_no_forge(remote: str) -> None:
    assert forge_from_remote(remote, COMMIT) is None


def test_no_forge_without_a_commit_or_with_a_malformed_one() -> None:
    assert forge_from_remote("git@github.com:a/b.git", None) is None
    assert forge_from_remote("git@github.com:a/b.git", "HEAD") is None


def _git(root: Path, *arguments: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *arguments], check=True)


def _repository(root: Path, remote: str) -> Path:
    project = root / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.paperlink]\npapers = { p = "paper.tex" }\n', encoding="utf-8")
    (project / "paper.tex").write_text(
        "\\begin{document}\n\\begin{equation}\\label{eq:a} x = 1 \\end{equation}\n\\end{document}\n", encoding="utf-8"
    )
    (project / "a.py").write_text("x = 1  # paper: eq:a\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "m")
    _git(root, "remote", "add", "origin", remote)
    return project


def test_the_page_links_locations_and_the_commit_to_the_forge(tmp_path: Path) -> None:
    project = _repository(tmp_path, "git@github.com:acme/r.git")
    commit = git_commit(project)
    forge = git_forge(project, commit)
    assert forge is not None and forge.prefix == "proj/"
    html = render_html(check(load_config(None, project), [project], jobs=1), PageOptions(commit=commit, forge=forge))
    found = parse_page(html)
    assert f"https://github.com/acme/r/blob/{commit}/proj/a.py#L1" in found.external
    assert f"https://github.com/acme/r/blob/{commit}/proj/a.py" in found.external
    assert (
        f'<a href="https://github.com/acme/r/commit/{commit}" rel="noreferrer"><code>{commit}</code></a> on GitHub'
        in html
    )


def test_a_hostile_remote_leaves_plain_links(tmp_path: Path) -> None:
    project = _repository(tmp_path, 'https://github.com/a/b"><script>alert(1)</script>')
    commit = git_commit(project)
    assert git_forge(project, commit) is None
    html = render_html(check(load_config(None, project), [project], jobs=1), PageOptions(commit=commit))
    found = parse_page(html)
    assert found.scripts == 1 and "alert" not in html
    assert not [url for url in found.external if "github" in url]


def test_report_links_to_the_forge_only_while_the_tree_is_clean(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from paperlink.cli import cli

    project = _repository(tmp_path, "https://gitlab.com/group/sub/r.git")
    commit = git_commit(project)
    output = tmp_path / "page.html"
    arguments = ["report", str(project), "-o", str(output), "-q", "--no-cache"]
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    page = output.read_text(encoding="utf-8")
    assert f'href="https://gitlab.com/group/sub/r/-/blob/{commit}/proj/a.py#L1"' in page
    assert "plus uncommitted changes" not in page
    (project / "a.py").write_text("x = 2  # paper: eq:a\n", encoding="utf-8")
    assert CliRunner().invoke(cli, arguments).exit_code == 0
    page = output.read_text(encoding="utf-8")
    assert "gitlab.com" not in page and "plus uncommitted changes" in page


def test_snippets_carry_permalinks_and_a_hostile_file_name_stays_in_its_url(tmp_path: Path) -> None:
    """Each snippet's caption links to its line at the commit; a file name with markup in it is
    percent-encoded into the URL's path, never copied into the attribute."""
    import re
    from urllib.parse import quote

    project = _repository(tmp_path, "https://github.com/acme/r.git")
    hostile = '"><img src=x onerror=alert(1)>.py'
    (project / hostile).write_text("y = 2  # paper: eq:a\n", encoding="utf-8")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "n")
    commit = git_commit(project)
    forge = git_forge(project, commit)
    html = render_html(check(load_config(None, project), [project], jobs=1), PageOptions(commit=commit, forge=forge))
    snippets = "".join(re.findall(r'<figure class="snippet">.*?</figure>', html, re.S))
    base = f"https://github.com/acme/r/blob/{commit}/proj/"
    assert re.findall(r'<a class="forge" href="([^"]*)"', snippets) == [
        base + quote(hostile) + "#L1",
        base + "a.py#L1",
    ]
    assert "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.py" in snippets
    found = parse_page(html)
    assert found.scripts == 1 and found.handler_attributes == [] and not found.tags["img"]
    assert all(url.startswith(("https://github.com/acme/r/", "https://arxiv.org/")) for url in found.external)
