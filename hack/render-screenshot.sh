#!/usr/bin/env bash
# Render colored `kubectl why` output to an SVG picture of a terminal, offline
# (hack/ansi2svg, standard library only): the README's screenshot.
#
#   kubectl why deploy/web -n shop --color=always | hack/render-screenshot.sh
#   PROMPT="kubectl why deploy/web -n shop" WRAP=0 hack/render-screenshot.sh out.svg < colored.txt
#
# WRAP (default 120) folds long lines as a 120-column terminal would, so the
# picture stays legible in a README; WRAP=0 draws every line whole.
#
# With nothing piped in (a terminal or an empty stream), it renders the
# colored golden tree of pkg/printers, so the picture can be refreshed
# without a cluster. PNG=1 also rasterises it
# to a PNG next to the SVG with Debian's chromium, when that is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-docs/images/why-tree.svg}
prompt=${PROMPT:-kubectl why deploy/web -n shop}
wrap=${WRAP:-120}

mkdir -p "$(dirname "$out")"
in=$(mktemp)
tmp=$(mktemp "${out}.XXXXXX")
trap 'rm -f "$in" "$tmp"' EXIT
if [ ! -t 0 ]; then
	cat >"$in"
fi
if [ ! -s "$in" ]; then
	cp pkg/printers/testdata/tree-deployment-notready.color.txt "$in"
fi
go run ./hack/ansi2svg -prompt "$prompt" -wrap "$wrap" <"$in" >"$tmp"
chmod 644 "$tmp"
mv "$tmp" "$out"
echo "wrote $out" >&2

if [ "${PNG:-0}" = 1 ]; then
	chrome=$(command -v chromium || command -v chromium-browser || true)
	if [ -z "$chrome" ]; then
		echo "PNG=1: chromium is not installed (apt-get install -y chromium); skipped" >&2
		exit 0
	fi
	# The SVG's own size, so the PNG has no margin.
	read -r w h < <(sed -n 's/^<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' "$out" | head -1)
	abs=$(realpath "$out")
	png=${abs%.svg}.png
	"$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--window-size="${w},${h}" --screenshot="$png" "file://$abs" >/dev/null 2>&1
	echo "wrote $png" >&2
fi
