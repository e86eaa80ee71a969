# CPack settings of the wyn-ctest package, shared by the two projects that
# can be packaged: the tool tree (generator/, what WynTests.cmake builds into
# <build>/wyn-tools) and the top-level project, which packages that tree.
# `cpack -G DEB` in either build directory makes a .deb installing the files
# of `cmake --install`. Not installed: packaging is this repository's concern.

set(CPACK_PACKAGE_NAME "wyn-ctest")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "wyn-ctest")
set(CPACK_PACKAGE_CONTACT "wyn-ctest maintainers <wyn-ctest@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Compile and run Wyn test suites with Ninja and CTest")
set(CPACK_PACKAGE_DESCRIPTION
  "The wyn-ctest tools (generator, compile step, launcher, reporter, caches), the stand-in Wyn \
compiler (a test double for trying it out), and the CMake package WynCTest: \
find_package(WynCTest CONFIG) then wyn_add_tests(... COMPILER /path/to/wyn).")
set(CPACK_PACKAGE_FILE_NAME "wyn-ctest-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_GENERATOR "TGZ")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
# What the package is used with; the libraries the tools link are added by
# dpkg-shlibdeps where it is installed (package dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "cmake (>= 3.25), ninja-build, gcc | c-compiler")
find_program(_wyn_dpkg_shlibdeps dpkg-shlibdeps NO_CACHE)
if(_wyn_dpkg_shlibdeps)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
unset(_wyn_dpkg_shlibdeps)
include(CPack)
