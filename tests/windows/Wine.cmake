# The Wine server for the cross-built tests (included by CMakeLists.txt):
# started by a setup fixture, stopped by a cleanup one; a test runs under
# it with FIXTURES_REQUIRED wine and ENVIRONMENT ${WYN_WINE_ENVIRONMENT}.
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  message(FATAL_ERROR "No Wine found to run the tests (CMAKE_CROSSCOMPILING_EMULATOR)")
endif()
find_program(WYN_WINE NAMES wine64 PATHS /usr/lib/wine NO_DEFAULT_PATH)
find_program(WYN_WINE NAMES wine64 wine REQUIRED)
get_filename_component(_wyn_wine_dir "${WYN_WINE}" DIRECTORY)
find_program(WYN_WINESERVER NAMES wineserver HINTS "${_wyn_wine_dir}" REQUIRED)
set(WYN_WINE_ENVIRONMENT
  "WINEPREFIX=${CMAKE_CURRENT_BINARY_DIR}/wineprefix"
  "WINEDEBUG=-all"
  # No debugger on a crash (it would take a second and print registers),
  # no offer to install Mono or Gecko.
  "WINEDLLOVERRIDES=winedbg.exe,mscoree,mshtml=d")
add_test(NAME windows/wine-start
  COMMAND sh "${CMAKE_CURRENT_SOURCE_DIR}/wine-start.sh" "${WYN_WINESERVER}"
    "${WYN_WINE}" "${CMAKE_CURRENT_BINARY_DIR}/wineboot.log")
# Not an error when the server ended by itself already.
add_test(NAME windows/wine-stop COMMAND sh -c "\"$0\" -k || true" "${WYN_WINESERVER}")
set_tests_properties(windows/wine-start PROPERTIES FIXTURES_SETUP wine ENVIRONMENT "${WYN_WINE_ENVIRONMENT}")
set_tests_properties(windows/wine-stop PROPERTIES FIXTURES_CLEANUP wine ENVIRONMENT "${WYN_WINE_ENVIRONMENT}")
