#!/usr/bin/env sh
# Install the built bundle for the current user (no root needed), or remove it again:
#
#   packaging/linux/install.sh [dist/cta-desktop]     # -> ~/.local/opt/cta-desktop, menu entry, icon, ~/.local/bin/cta-desktop
#   packaging/linux/install.sh --uninstall
#
# Follows the XDG layout: the .desktop file in $XDG_DATA_HOME/applications, the icon in the hicolor theme.
# The library (your imported tweets) lives in ~/.local/share/cta-desktop and is kept on uninstall.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
PREFIX=$HOME/.local/opt/cta-desktop
BIN=$HOME/.local/bin
ICONS=$ROOT/resources/icons

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$PREFIX" "$BIN/cta-desktop" "$DATA/applications/cta-desktop.desktop"
  rm -f "$DATA"/icons/hicolor/*/apps/cta-desktop.png "$DATA/icons/hicolor/scalable/apps/cta-desktop.svg"
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$DATA/applications" || true
  echo "removed CTA Desktop (your library in $DATA/cta-desktop is kept)"
  exit 0
fi

SRC=${1:-$ROOT/dist/cta-desktop}
[ -x "$SRC/cta-desktop" ] || { echo "no bundle at $SRC; run packaging/build_bundle.sh first" >&2; exit 1; }

rm -rf "$PREFIX"
mkdir -p "$(dirname "$PREFIX")" "$BIN" "$DATA/applications"
cp -a "$SRC" "$PREFIX"
ln -sf "$PREFIX/cta-desktop-cli" "$BIN/cta-desktop"   # the terminal command; the menu starts the windowed one
for size in 16 24 32 48 64 128 256 512; do
  mkdir -p "$DATA/icons/hicolor/${size}x${size}/apps"
  cp "$ICONS/cta-desktop-$size.png" "$DATA/icons/hicolor/${size}x${size}/apps/cta-desktop.png"
done
mkdir -p "$DATA/icons/hicolor/scalable/apps"
cp "$ICONS/cta-desktop.svg" "$DATA/icons/hicolor/scalable/apps/cta-desktop.svg"
# Menus do not search ~/.local/bin, so point Exec at the installed executable.
sed "s|^Exec=cta-desktop|Exec=$PREFIX/cta-desktop|" "$HERE/cta-desktop.desktop" > "$DATA/applications/cta-desktop.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$DATA/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q "$DATA/icons/hicolor" || true
echo "installed CTA Desktop $PREFIX; menu entry $DATA/applications/cta-desktop.desktop; command $BIN/cta-desktop"
