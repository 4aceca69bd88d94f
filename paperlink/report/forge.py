"""Permalinks to a code forge: ``path:line`` at the page's commit on GitHub, GitLab, Bitbucket or Gitea.

The git remote is untrusted text (anyone can set ``origin`` to anything), so a forge is made
only from a remote whose host and repository path consist of plain URL characters; the
permalink is built from those parts, the commit (hex) and a percent-encoded path, never by
pasting the remote into the page. Anything else, or an unknown host, gives no forge and the
page keeps its plain ``file:line`` links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

__all__ = ["Forge", "forge_from_remote"]

# scp-like ssh (git@host:owner/repo.git) and URLs (https://, ssh://, git://, with user and port)
_SCP = re.compile(r"^(?:[A-Za-z0-9._-]+@)?(?P<host>[A-Za-z0-9.-]+):(?!//)(?P<path>[^\s]+)$")
_URL = re.compile(
    r"^(?:https?|ssh|git|git\+ssh)://(?:[A-Za-z0-9._%-]+(?::[^@/\s]*)?@)?(?P<host>[A-Za-z0-9.-]+)(?::\d+)?/(?P<path>[^\s]+)$"
)
_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")

# The line anchor and the path to a file at a commit, per kind of forge.
_PATTERNS = {
    "github": ("{base}/blob/{commit}/{path}", "#L{line}"),
    "gitlab": ("{base}/-/blob/{commit}/{path}", "#L{line}"),
    "bitbucket": ("{base}/src/{commit}/{path}", "#lines-{line}"),
    "gitea": ("{base}/src/commit/{commit}/{path}", "#L{line}"),
}


@dataclass(frozen=True)
class Forge:
    kind: str  # a key of _PATTERNS
    base: str  # https://host/owner/repo
    commit: str
    prefix: str = ""  # the project root inside the repository ("" or "sub/dir/")

    @property
    def name(self) -> str:
        return {"github": "GitHub", "gitlab": "GitLab", "bitbucket": "Bitbucket", "gitea": "Gitea"}[self.kind]

    @property
    def commit_url(self) -> str:
        return (
            f"{self.base}/-/commit/{self.commit}"
            if self.kind == "gitlab"
            else (
                f"{self.base}/commits/{self.commit}"
                if self.kind == "bitbucket"
                else f"{self.base}/commit/{self.commit}"
            )
        )

    def permalink(self, path: str, line: int | None = None) -> str:
        """The file (and line) at the commit; ``path`` is project-relative."""
        file_pattern, line_pattern = _PATTERNS[self.kind]
        url = file_pattern.format(base=self.base, commit=self.commit, path=quote(self.prefix + path, safe="/"))
        return url + line_pattern.format(line=line) if line is not None and line > 0 else url


def _kind(host: str) -> str | None:
    host = host.lower()
    if host in ("github.com", "www.github.com") or host.startswith("github."):
        return "github"
    if host == "gitlab.com" or host.startswith("gitlab.") or ".gitlab." in host:
        return "gitlab"
    if host in ("bitbucket.org", "www.bitbucket.org"):
        return "bitbucket"
    if host in ("codeberg.org", "gitea.com") or host.startswith("gitea.") or host.startswith("forgejo."):
        return "gitea"
    return None


def forge_from_remote(remote: str | None, commit: str | None, prefix: str = "") -> Forge | None:
    """The forge a remote URL names, at ``commit``; None for unknown hosts or anything unusual."""
    if not remote or not commit or not _COMMIT.match(commit):
        return None
    text = remote.strip()
    found = _URL.match(text) or _SCP.match(text)
    if found is None:
        return None
    host = found.group("host").lower()
    kind = _kind(host)
    parts = found.group("path").strip("/").split("/")
    if parts and parts[-1].endswith(".git"):
        parts[-1] = parts[-1][: -len(".git")]
    if kind is None or len(parts) < 2 or not all(_SEGMENT.match(part) and part not in (".", "..") for part in parts):
        return None
    if kind in ("github", "bitbucket", "gitea") and len(parts) != 2:  # only GitLab nests groups
        return None
    folder = prefix.strip("/")  # percent-encoded with the path in each permalink
    return Forge(kind, f"https://{host}/" + "/".join(parts), commit, folder + "/" if folder else "")
