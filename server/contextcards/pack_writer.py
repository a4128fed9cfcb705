"""Writing pack files: cards back to the TOML that read_pack_file reads (the reader's own cards, exports)."""

from .knowledge import Card


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped, everything else as it is."""
    escaped = []
    for char in text:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04X}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _toml_value(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_string(value)


def dump_pack(cards: list[Card], header: str = "") -> str:
    """A pack file holding these cards (read back by read_pack_file to the same cards)."""
    lines = [f"# {line}" for line in header.splitlines()]
    if not cards:
        lines += ["", "card = []"]  # still a pack file, with no cards
    for card in cards:
        table = card.to_pack()
        guards = table.pop("guarded", [])
        lines += ["", "[[card]]"] + [f"{key} = {_toml_value(value)}" for key, value in table.items()]
        for guard in guards:
            lines += ["", "[[card.guarded]]"] + [f"{key} = {_toml_value(value)}" for key, value in guard.items()]
    return "\n".join(lines).lstrip("\n") + "\n"
