"""A small PEP 517 build backend for `pip install .`: CMake builds the
`attend_python` target (the same build as `make`), and the wheel holds the
package python/attend/ with the extension module beside it.

It needs nothing from PyPI (scikit-build-core is not packaged in Debian, and
PyPI may be out of reach): `pip install --no-build-isolation .` works offline.
The CMake build directory is build-python/ in the checkout, kept between
builds (ccache and an incremental build make a reinstall quick). Extra CMake
arguments: the ATTEND_CMAKE_ARGS environment variable, e.g.
ATTEND_CMAKE_ARGS="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache".
"""

import base64
import hashlib
import io
import os
import re
import shlex
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = "attend"
SUMMARY = "Attention-based speech recognizer on oneDNN: Python module"


def _version():
    """The project's version, from the top CMakeLists.txt (its one source)."""
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        match = re.search(r"project\(attend\s+VERSION\s+([0-9.]+)", f.read())
    if not match:
        raise RuntimeError("attend: no `project(attend VERSION x.y.z)` in CMakeLists.txt")
    return match.group(1)


def _metadata():
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {_version()}\n"
            f"Summary: {SUMMARY}\nRequires-Python: >=3.8\nRequires-Dist: numpy\n")


def _tag():
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return f"{impl}-{impl}-{platform}"


def _dist_info():
    return f"{NAME}-{_version()}.dist-info"


def _build_extension():
    """Configures and builds attend_python; returns the built package folder."""
    build_dir = os.environ.get("ATTEND_PYTHON_BUILD_DIR", os.path.join(ROOT, "build-python"))
    configure = ["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                 "-DATTEND_PYTHON=ON", "-DATTEND_BUILD_TESTS=OFF", "-DATTEND_BUILD_BENCH=OFF",
                 f"-DPython3_EXECUTABLE={sys.executable}",
                 *shlex.split(os.environ.get("ATTEND_CMAKE_ARGS", ""))]
    build = ["cmake", "--build", build_dir, "--target", "attend_python"]
    if "CMAKE_BUILD_PARALLEL_LEVEL" not in os.environ:
        build += ["-j", str(os.cpu_count() or 1)]
    for command in (configure, build):
        print("attend build backend:", " ".join(command), file=sys.stderr, flush=True)
        subprocess.run(command, check=True, stdout=sys.stderr)
    return os.path.join(build_dir, "python", "attend")


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist_info = os.path.join(metadata_directory, _dist_info())
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w") as f:
        f.write(_metadata())
    return _dist_info()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    package = _build_extension()
    extensions = [f for f in os.listdir(package) if f.startswith("_attend") and f.endswith(".so")]
    if len(extensions) != 1:
        raise RuntimeError(f"attend: expected one built _attend*.so in {package}, "
                           f"found {extensions}")
    files = {f"{NAME}/{name}": os.path.join(ROOT, "python", "attend", name)
             for name in os.listdir(os.path.join(ROOT, "python", "attend")) if name.endswith(".py")}
    files[f"{NAME}/{extensions[0]}"] = os.path.join(package, extensions[0])
    wheel_name = f"{NAME}-{_version()}-{_tag()}.whl"
    dist_info = _dist_info()
    generated = {
        f"{dist_info}/METADATA": _metadata().encode(),
        f"{dist_info}/WHEEL": (f"Wheel-Version: 1.0\nGenerator: attend_build_backend\n"
                               f"Root-Is-Purelib: false\nTag: {_tag()}\n").encode(),
    }
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel_name), "w",
                         zipfile.ZIP_DEFLATED) as wheel:
        for archive_path, source in sorted(files.items()):
            with open(source, "rb") as f:
                data = f.read()
            info = zipfile.ZipInfo(archive_path)
            info.external_attr = (os.stat(source).st_mode & 0o777) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
            record.append(_record_line(archive_path, data))
        for archive_path, data in generated.items():
            wheel.writestr(archive_path, data)
            record.append(_record_line(archive_path, data))
        record.append(f"{dist_info}/RECORD,,")
        wheel.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    """The files git tracks, as NAME-VERSION.tar.gz."""
    listed = subprocess.run(["git", "-C", ROOT, "ls-files", "-z"], check=True,
                            capture_output=True).stdout.decode().split("\0")
    base = f"{NAME}-{_version()}"
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz") as sdist:
        for path in filter(None, listed):
            if os.path.isfile(os.path.join(ROOT, path)):
                sdist.add(os.path.join(ROOT, path), arcname=f"{base}/{path}")
        pkg_info = _metadata().encode()
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        info.size = len(pkg_info)
        sdist.addfile(info, io.BytesIO(pkg_info))
    return base + ".tar.gz"
