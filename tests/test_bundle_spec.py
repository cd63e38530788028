"""Fast checks of the PyInstaller spec and the packaging files, without running PyInstaller.

build.spec is executed with stand-ins for Analysis/PYZ/EXE/COLLECT that record their arguments, in a
scratch root that links the real code and resources and holds stand-in model files.
"""

from __future__ import annotations

import configparser
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

from cta_desktop import __version__
from cta_desktop.cli import COMMANDS

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "build.spec"
ICONS = REPO / "resources" / "icons"


class Recorder:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class FakeAnalysis(Recorder):
    extra_binaries: list = []

    def __init__(self, scripts, **kwargs):
        super().__init__(scripts, **kwargs)
        self.scripts = scripts
        self.pure = []
        # TOC entries (destination, source, typecode), one per file, as PyInstaller expands data folders.
        self.datas = []
        for src, dest in kwargs.get("datas", []):
            src = Path(src)
            files = [src] if src.is_file() else [p for p in src.rglob("*") if p.is_file()]
            for f in files:
                rel = f.name if src.is_file() else f.relative_to(src).as_posix()
                self.datas.append((f"{dest}/{rel}", str(f), "DATA"))
        self.datas.append(("PySide6/Qt/translations/qtbase_de.qm", "x", "DATA"))
        self.binaries = [("PySide6/Qt/lib/libQt6Core.so.6", "x", "BINARY"), *self.extra_binaries]


def _collect_submodules(package: str, filter=None) -> list[str]:  # noqa: A002 (PyInstaller's name)
    base = REPO / package.replace(".", "/")
    names = []
    for f in base.rglob("*.py"):
        parts = f.relative_to(REPO).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return [n for n in names if filter is None or filter(n)]


def _collect_data_files(package: str) -> list[tuple[str, str]]:
    """As PyInstaller's: the package's non-Python files, as (source, destination folder)."""
    import importlib.util

    origin = importlib.util.find_spec(package).origin
    base = Path(origin).parent
    return [(str(f), str(f.parent.relative_to(base.parent))) for f in sorted(base.rglob("*"))
            if f.is_file() and f.suffix not in (".py", ".pyc")]


def run_spec(root: Path, monkeypatch, extra_binaries=(), platform: str | None = None) -> dict:
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = _collect_submodules
    hooks.collect_data_files = _collect_data_files
    versioninfo = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for cls in ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct", "VarFileInfo",
                "VarStruct"):
        setattr(versioninfo, cls, Recorder)
    win32 = types.ModuleType("PyInstaller.utils.win32")
    win32.versioninfo = versioninfo
    for name, mod in {"PyInstaller": types.ModuleType("PyInstaller"),
                      "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
                      "PyInstaller.utils.hooks": hooks, "PyInstaller.utils.win32": win32,
                      "PyInstaller.utils.win32.versioninfo": versioninfo}.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec prepends its root
    if platform:
        monkeypatch.setattr(sys, "platform", platform)
    FakeAnalysis.extra_binaries = list(extra_binaries)
    dist = root / "dist"
    (dist / "cta-desktop").mkdir(parents=True, exist_ok=True)  # COLLECT would have made it
    ns = {"SPECPATH": str(root), "DISTPATH": str(dist), "workpath": str(root / "build"),
          "__file__": str(root / "build.spec"), "Analysis": FakeAnalysis,
          "PYZ": Recorder, "EXE": Recorder, "COLLECT": Recorder, "BUNDLE": Recorder}
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), ns)
    return ns


@pytest.fixture
def spec_root(tmp_path) -> Path:
    """A scratch root: the real package, resources and packaging, stand-in model files."""
    root = tmp_path / "root"
    root.mkdir()
    for name in ("cta_desktop", "resources", "packaging"):
        (root / name).symlink_to(REPO / name)
    models = root / "models"
    models.mkdir()
    for name in ("vocab.json", "cta_dense.nzb", "cta_dense.json", "cta_p80.nzb", "cta_p80.json", "cta_dense.keras",
                 "cta_p80.tflite.xz", "tflite.json"):
        (models / name).write_text("stand-in")
    return root


@pytest.fixture
def spec(spec_root, monkeypatch) -> dict:
    return run_spec(spec_root, monkeypatch)


def test_one_windowed_app_and_a_console_twin(spec, spec_root):
    gui = spec["exe_gui"]
    assert gui.kwargs["name"] == "cta-desktop" and gui.kwargs["console"] is False
    assert gui.kwargs["exclude_binaries"] is True  # onedir: libraries live in COLLECT, not in the exe
    assert gui.kwargs["upx"] is False
    coll = spec["coll"]
    assert coll.args[0] is gui and coll.kwargs["name"] == "cta-desktop"
    if sys.platform != "win32":
        # Linux/macOS: the console twin is a relative symlink, not a second 35 MB executable.
        link = spec_root / "dist" / "cta-desktop" / "cta-desktop-cli"
        assert link.is_symlink() and str(link.readlink()) == "cta-desktop"
        assert spec["exe_cli"] is None


def test_windows_gets_a_console_exe_and_version_info(spec_root, monkeypatch):
    spec = run_spec(spec_root, monkeypatch, platform="win32")
    gui, cli = spec["exe_gui"], spec["exe_cli"]
    assert cli.kwargs["name"] == "cta-desktop-cli" and cli.kwargs["console"] is True
    assert cli.args[0] is spec["pyz"] and gui.args[0] is spec["pyz"]  # one Analysis, one archive
    assert spec["coll"].args[:2] == (gui, cli)
    assert gui.kwargs["icon"].endswith("cta-desktop.ico") and gui.kwargs["version"] is not None


def test_strips_only_llvmlite_and_python(spec_root, monkeypatch):
    import _ctypes
    import shutil

    if not sys.platform.startswith("linux") or not shutil.which("strip"):
        pytest.skip("stripping is done on Linux with binutils' strip")
    lib = Path(_ctypes.__file__)
    numpy_lib = ("numpy.libs/libopenblas.so", str(lib), "BINARY")
    spec = run_spec(spec_root, monkeypatch, extra_binaries=[("llvmlite/binding/libllvmlite.so", str(lib), "BINARY"),
                                                             numpy_lib])
    entries = {d: src for d, src, _ in spec["a"].binaries}
    stripped = Path(entries["llvmlite/binding/libllvmlite.so"])
    assert stripped != lib and stripped.is_relative_to(spec_root / "build") and stripped.stat().st_size > 0
    assert entries["numpy.libs/libopenblas.so"] == str(lib)  # auditwheel-patched libraries stay untouched


def test_models_and_resources_are_data(spec):
    dests = [d for d, _, _ in spec["a"].datas]
    assert "models/vocab.json" in dests and "models/cta_p80.nzb" in dests and "models/cta_p80.json" in dests
    assert "models/cta_dense.keras" not in dests  # a training artefact, not read at run time
    assert "models/cta_p80.tflite.xz" in dests and "models/tflite.json" in dests  # the LiteRT peer's model
    assert "resources/icons/cta-desktop.svg" in dests
    assert any(d.startswith("resources/example/") and d.endswith(".csv") for d in dests)
    assert any(d.startswith("py3langid/data") for d in dests)  # the language identifier's model
    assert not any(d.startswith("resources/screenshots") for d in dests)  # the README's pictures stay out


def test_qt_translations_are_pruned(spec):
    assert not any("translations" in d for d, _, _ in spec["a"].datas)
    assert any("libQt6Core" in d for d, _, _ in spec["a"].binaries)


def test_matplotlib_uses_only_qtagg(spec):
    assert spec["a"].kwargs["hooksconfig"] == {"matplotlib": {"backends": "QtAgg"}}


def test_other_qt_bindings_and_dev_packages_are_excluded(spec):
    excludes = set(spec["a"].kwargs["excludes"])
    assert {"PyQt5", "PyQt6", "PySide2"} <= excludes
    assert {"tensorboard", "IPython", "tkinter", "pytest", "hypothesis"} <= excludes
    assert "numba" not in excludes and "llvmlite" not in excludes


def test_no_tensorflow_in_the_bundle_but_the_lighter_dense_runtimes(spec):
    """The bundle's dense reference is LiteRT (and ONNX Runtime); TensorFlow stays a pip-install peer."""
    excludes = set(spec["a"].kwargs["excludes"])
    assert {"tensorflow", "keras", "tensorboard", "grpc", "h5py"} <= excludes
    assert not {"ai_edge_litert", "onnxruntime", "onnx", "ml_dtypes", "numpy"} & excludes


def test_refuses_tensorflow_files(spec_root, monkeypatch):
    with pytest.raises(SystemExit, match="TensorFlow"):
        run_spec(spec_root, monkeypatch, extra_binaries=[("tensorflow/libtensorflow_cc.so.2", "x", "BINARY")])


def test_litert_accelerators_and_tools_are_pruned(spec_root, monkeypatch):
    import _ctypes

    extra = [("ai_edge_litert/libLiteRtWebGpuAccelerator.so", "x", "BINARY"),
             ("ai_edge_litert/vendors/qualcomm/libx.so", "x", "BINARY"),
             ("ai_edge_litert/_pywrap_litert_interpreter_wrapper.so", _ctypes.__file__, "BINARY")]
    spec = run_spec(spec_root, monkeypatch, extra_binaries=extra)
    dests = {d for d, _, _ in spec["a"].binaries}
    assert "ai_edge_litert/_pywrap_litert_interpreter_wrapper.so" in dests
    assert not any("WebGpu" in d or "/vendors/" in d for d in dests)


def test_launcher_checks_xcb_before_the_app():
    text = (REPO / "packaging" / "launcher.py").read_text(encoding="utf-8")
    assert text.index("check_or_exit()") < text.index("from cta_desktop.cli import main")


def test_qt_modules_the_app_imports_are_not_excluded(spec):
    excludes = set(spec["a"].kwargs["excludes"])
    used = set()
    for f in (REPO / "cta_desktop").rglob("*.py"):
        text = f.read_text(encoding="utf-8")
        used |= {f"PySide6.{m}" for m in re.findall(r"PySide6\.(Qt\w+)", text)}
        used |= {f"PySide6.{m.strip()}" for grp in re.findall(r"from PySide6 import \(?([\w, \n]+)\)?", text)
                 for m in grp.split(",") if m.strip()}
    assert not used & excludes, f"the app imports excluded Qt modules: {sorted(used & excludes)}"
    # matplotlib's QtAgg backend needs these three.
    assert not {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} & excludes


def test_every_command_is_bundled(spec):
    hidden = set(spec["a"].kwargs["hiddenimports"])
    for name in COMMANDS:
        module = f"cta_desktop.commands.{name.replace('-', '_')}"
        if (REPO / (module.replace(".", "/") + ".py")).exists():
            assert module in hidden, module
    assert "cta_desktop.commands.self_test" in hidden


def test_numba_kernels_ship_as_source(spec):
    # numba's cache=True needs the kernel's .py file on disk (see the comment in build.spec).
    assert spec["a"].kwargs["module_collection_mode"]["cta_desktop.core.engines"] == "py"


def test_version_and_icon(spec):
    assert spec["VERSION"] == __version__
    if sys.platform in ("win32", "darwin"):
        assert Path(spec["icon"]).is_file()
    else:
        assert spec["icon"] is None  # PyInstaller ignores exe icons on Linux; the .desktop entry has it


def test_refuses_to_build_without_models(spec_root, monkeypatch):
    (spec_root / "models" / "vocab.json").unlink()
    with pytest.raises(SystemExit, match="vocab.json"):
        run_spec(spec_root, monkeypatch)


def test_refuses_cuda_libraries(spec_root, monkeypatch):
    cuda = [("nvidia/cudnn/lib/libcudnn.so.9", "x", "BINARY")]
    with pytest.raises(SystemExit, match="CUDA"):
        run_spec(spec_root, monkeypatch, extra_binaries=cuda)


def test_icons_exist_at_every_size():
    from PIL import Image

    for size in (16, 32, 48, 128, 256, 512):
        with Image.open(ICONS / f"cta-desktop-{size}.png") as im:
            assert im.size == (size, size) and im.mode == "RGBA"
    with Image.open(ICONS / "cta-desktop.ico") as ico:
        assert {(16, 16), (32, 32), (256, 256)} <= set(ico.info["sizes"])
    assert (ICONS / "cta-desktop.icns").stat().st_size > 1000
    assert "<svg" in (ICONS / "cta-desktop.svg").read_text(encoding="utf-8")


def test_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(REPO / "packaging" / "linux" / "cta-desktop.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "CTA Desktop"
    assert d["Exec"].split()[0] == "cta-desktop" and d["Terminal"] == "false"
    assert d["Icon"] == "cta-desktop" and (ICONS / "cta-desktop.svg").exists()
    assert d["Categories"].endswith(";")


@pytest.mark.parametrize("script", ["packaging/build_bundle.sh", "packaging/linux/install.sh"])
def test_shell_scripts_parse(script):
    path = REPO / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    subprocess.run(["bash", "-n", str(path)], check=True)
