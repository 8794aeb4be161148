#!/usr/bin/env python3
"""Render Mermaid diagrams with mermaid.js itself, in headless Chromium, and report every error.

    scripts/check-mermaid.py FILE...              # each a .mmd diagram, or markdown with ```mermaid blocks
    scripts/check-mermaid.py --screenshot OUT.png FILE   # also save a picture of what was drawn
    scripts/check-mermaid.py --labels FILE               # also print each label's text as drawn

A diagram passes when mermaid.parse accepts it and mermaid.render draws it with Mermaid's default
limits (50,000 characters, 500 edges) into an SVG that is not Mermaid's error picture.

Needs Debian's `chromium` and mermaid.min.js, found at $TRESOR_MERMAID_JS or
${XDG_CACHE_HOME:-~/.cache}/tresor/mermaid/mermaid.min.js (scripts/install-deps.sh puts it there
from the PyPI package artoo-mermaid, which vendors Mermaid 11.16.0). Exit codes: 0 every diagram
renders, 1 some do not, 77 Chromium or mermaid.min.js is missing (the tests skip then).
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

UNAVAILABLE = 77


def mermaid_js():
    path = os.environ.get("TRESOR_MERMAID_JS")
    if not path:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = os.path.join(cache, "tresor", "mermaid", "mermaid.min.js")
    return path if os.path.isfile(path) else None


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def diagrams(path):
    """(name, text) of each diagram in the file: the whole file, or each ```mermaid block of markdown."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if not path.endswith(".md"):
        return [(path, text)]
    blocks = re.findall(r"^```mermaid\n(.*?)^```\s*$", text, flags=re.S | re.M)
    return [(f"{path} (diagram {i + 1})", block) for i, block in enumerate(blocks)]


PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;background:#fff">
<script src="mermaid.min.js"></script>
<div id="pictures"></div>
<pre id="results">pending</pre>
<script>
(async () => {
  const diagrams = %s;
  const results = [];
  mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
  for (let i = 0; i < diagrams.length; i++) {
    try {
      await mermaid.parse(diagrams[i]);
      const {svg} = await mermaid.render("diagram" + i, diagrams[i]);
      if (svg.includes("Maximum text size in diagram exceeded") || svg.includes("Syntax error in text")) {
        results.push({ok: false, error: "mermaid drew its error picture"});
      } else {
        const holder = document.createElement("div");
        holder.innerHTML = svg;
        document.getElementById("pictures").appendChild(holder);
        // The text of each label as drawn, one per line.
        const labels = [...holder.querySelectorAll(".nodeLabel, .edgeLabel, .cluster-label")].map(e => {
          const copy = e.cloneNode(true);
          copy.querySelectorAll("br").forEach(b => b.replaceWith("\\n"));
          return copy.textContent;
        });
        results.push({ok: true, labels: labels});
      }
    } catch (e) {
      results.push({ok: false, error: String((e && e.message) || e)});
    }
  }
  document.getElementById("results").textContent = "RESULTS" + JSON.stringify(results) + "END";
})();
</script></body></html>
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--screenshot", help="save a PNG of the rendered diagrams")
    parser.add_argument("--labels", action="store_true", help="print the text of every label as drawn")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=2400)
    args = parser.parse_args()

    script, browser = mermaid_js(), chromium()
    if not script or not browser:
        missing = [name for name, found in (("mermaid.min.js", script), ("chromium", browser)) if not found]
        print(f"check-mermaid: {' and '.join(missing)} not found (run scripts/install-deps.sh)", file=sys.stderr)
        return UNAVAILABLE

    named = [d for path in args.files for d in diagrams(path)]
    if not named:
        print("check-mermaid: no Mermaid diagram in the files given", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="tresor-mermaid-") as folder:
        shutil.copy(script, os.path.join(folder, "mermaid.min.js"))
        page = os.path.join(folder, "page.html")
        # </script> cannot occur in JSON that escapes "/" after "<".
        data = json.dumps([text for _, text in named]).replace("</", "<\\/")
        with open(page, "w", encoding="utf-8") as f:
            f.write(PAGE % data)
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
                   "--virtual-time-budget=60000", f"--window-size={args.width},{args.height}"]
        done = subprocess.run(command + ["--dump-dom", "file://" + page], capture_output=True, text=True, timeout=300)
        match = re.search(r"RESULTS(.*?)END", html.unescape(done.stdout), flags=re.S)
        if not match:
            print(f"check-mermaid: Chromium gave no result (exit {done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
            return 1
        results = json.loads(match.group(1))
        if args.screenshot:
            subprocess.run(command + ["--screenshot=" + os.path.abspath(args.screenshot), "file://" + page],
                           capture_output=True, timeout=300, check=True)
    failed = 0
    for (name, _), result in zip(named, results):
        if result["ok"]:
            print(f"ok: {name}")
            if args.labels:
                for label in result["labels"]:
                    print("label: " + " / ".join(line for line in label.split("\n") if line))
        else:
            failed += 1
            print(f"error: {name}: {result['error']}")
    print(f"check-mermaid: {len(results) - failed} rendered, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
