"""One finding of a network's validation: its level, code, and message in Chinese then
English, naming the elements at fault."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gaswarden.network.model import Net

MAX_LISTED = 20  # elements named in one message


@dataclass(frozen=True)
class Finding:
    level: str  # "error" | "warning"
    code: str  # e.g. "dangling_pipe"
    zh: str
    en: str
    elements: tuple[str, ...] = ()  # e.g. ("pipe 12", "junction J7")

    @property
    def text(self) -> str:
        return f"{self.zh} / {self.en}"

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["elements"] = list(self.elements)
        return out


def error(code: str, zh: str, en: str, elements: Any = ()) -> Finding:
    return Finding("error", code, zh, en, tuple(str(e) for e in elements))


def warning(code: str, zh: str, en: str, elements: Any = ()) -> Finding:
    return Finding("warning", code, zh, en, tuple(str(e) for e in elements))


def names(labels: list[str]) -> str:
    shown = ", ".join(labels[:MAX_LISTED])
    more = len(labels) - MAX_LISTED
    return shown + (f" (+{more})" if more > 0 else "")


def label_junction(net: Net, index: Any) -> str:
    name = net.junction.name.get(index) if "name" in net.junction else None
    return f"junction {index}" + (f" ({name})" if isinstance(name, str) and name else "")


def label_pipe(net: Net, index: Any) -> str:
    name = net.pipe.name.get(index) if "name" in net.pipe else None
    return f"pipe {index}" + (f" ({name})" if isinstance(name, str) and name else "")
