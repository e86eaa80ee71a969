# nlohmann_json for the Windows cross build: the header-only library of the
# build machine, seen through a directory holding nothing else. Debian's own
# package configuration would put /usr/include, the build machine's C
# library headers with it, on the cross compiler's include path.
if(NOT TARGET nlohmann_json::nlohmann_json)
  find_path(_wyn_json_include nlohmann/json.hpp NO_CMAKE_FIND_ROOT_PATH REQUIRED)
  set(_wyn_json_view "${CMAKE_BINARY_DIR}/nlohmann-json-include")
  file(MAKE_DIRECTORY "${_wyn_json_view}")
  file(CREATE_LINK "${_wyn_json_include}/nlohmann" "${_wyn_json_view}/nlohmann" SYMBOLIC)
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_wyn_json_view}")
endif()
