# The version of the build machine's nlohmann_json is what its package says;
# wyn-ctest needs 3.10, which Debian 12 (3.11) and later have.
set(PACKAGE_VERSION 3.11.0)
set(PACKAGE_VERSION_COMPATIBLE TRUE)
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
endif()
