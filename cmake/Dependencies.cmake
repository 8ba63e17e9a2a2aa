# Finds the Debian packages ScarScope builds on (see ../shared/DEPENDENCIES.md for why each is found this way).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs video calib3d)
set(SCARSCOPE_OPENCV_LIBS opencv_core opencv_imgproc opencv_imgcodecs opencv_video opencv_calib3d)
find_package(pugixml REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)  # MD5 for X3P checksums, SHA-256 for determinism checks
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)  # libzip's CMake config is broken on Debian 12
pkg_check_modules(CAIRO REQUIRED IMPORTED_TARGET cairo cairo-pdf cairo-png)
find_package(TIFF REQUIRED)  # float32 TIFF height maps with their resolution tags (OpenCV does not expose those)
