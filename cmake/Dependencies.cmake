# Finds the Debian packages ScarScope builds on (see ../shared/DEPENDENCIES.md for why each is found this way).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
# No imgcodecs: it drags ~120 shared libraries (GDAL, GDCM, poppler, HDF5...) into every process,
# 0.1 s and 40 MB before main(); PNG goes through libpng (src/surface/png_codec.h).
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc video calib3d)
find_package(PNG REQUIRED)   # PNG::PNG, libpng 1.6
find_package(ZLIB REQUIRED)  # ZLIB::ZLIB: X3P data.bin inflated in chunks straight into the height map
# ISA-L (Intel storage acceleration library, BSD-3): a streaming inflate and CRC-32 about 1.5x zlib's here.
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
set(SCARSCOPE_OPENCV_LIBS opencv_core opencv_imgproc opencv_video opencv_calib3d)
find_package(pugixml REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)  # MD5 for X3P checksums, SHA-256 for determinism checks
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)  # libzip's CMake config is broken on Debian 12
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo cairo-pdf cairo-png)
find_package(TIFF REQUIRED)  # float32 TIFF height maps with their resolution tags (OpenCV does not expose those)
# The clinic record (src/clinic, src/store): SQLite (embedded default), PostgreSQL through raw libpq
# (libpqxx 6 is stuck behind its 7.x documentation), libsodium for argon2id, SHA-256 and random ids.
find_package(SQLite3 REQUIRED)     # SQLite::SQLite3, 3.40
find_package(PostgreSQL REQUIRED)  # PostgreSQL::PostgreSQL, libpq 15
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)  # PkgConfig::SODIUM, 1.0.18
# The server (src/server): Debian's cpp-httplib 0.11 is a compiled shared library with pkg-config
# only (its .pc adds the OpenSSL/zlib/brotli defines); spdlog 1.10 with the external fmt 9.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # PkgConfig::HTTPLIB
find_package(spdlog REQUIRED)                                    # spdlog::spdlog
# The CLI's allocator (src/cli/allocator.cpp): jemalloc 5.3. Not with the sanitizers or libFuzzer,
# which bring their own malloc.
if(SCARSCOPE_JEMALLOC)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)  # PkgConfig::JEMALLOC
endif()
