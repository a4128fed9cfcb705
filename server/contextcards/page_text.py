"""Turn a saved HTML page or a plain-text file into blocks, the way the extension would."""

from html.parser import HTMLParser

BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th", "dd", "dt",
              "figcaption", "section", "article", "main", "br", "tr", "ul", "ol", "table", "header", "footer"}
SKIP_TAGS = {"script", "style", "noscript", "template", "nav", "code", "pre", "textarea", "select", "svg", "head"}
VOID_TAGS = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "base", "col", "embed", "track"}


class _BlockCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.current, self.skipping = [], [], 0

    def _flush(self):
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data)


def html_blocks(html: str) -> list[str]:
    """One block per block-level element, inline children joined, scripts and code left out."""
    collector = _BlockCollector()
    collector.feed(html)
    collector.close()
    collector._flush()
    return collector.blocks


def text_blocks(text: str) -> list[str]:
    """One block per paragraph (separated by blank lines); single line breaks are kept as spaces."""
    paragraphs = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        joined = " ".join(line.strip() for line in chunk.split("\n") if line.strip())
        if joined:
            paragraphs.append(joined)
    return paragraphs
