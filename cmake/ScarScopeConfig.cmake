# find_package(ScarScope) for programs built on an installed libscarscope: the library's targets
# (link ScarScope::scarscope_lib for all of it, or ScarScope::scarscope_<part>), after finding the
# Debian packages the static libraries need (the same list the build used).
include(CMakeFindDependencyMacro)
include(${CMAKE_CURRENT_LIST_DIR}/Dependencies.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/ScarScopeTargets.cmake)
