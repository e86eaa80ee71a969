# The C compiler of the Windows stand-in compiler under Wine (included by
# the top-level CMakeLists.txt when WYN_WINE_HOST_CC is set; preset windows).
#
# Under Wine a Windows program cannot wait for a Linux one (it gets no
# process handle), and there is no Windows-hosted C compiler on Linux. So the
# stand-in's WYN_CC is tests/windows/helpers/host_run.c, built here for
# Windows, followed by WYN_WINE_HOST_CC: host_run runs that Linux compiler,
# waits for it and passes its status and output on. WYN_CC is set in this
# configure step's environment, where the compile steps record it
# (compile.env). On a real Windows none of this is needed: the stand-in
# finds gcc.exe on PATH.
if(NOT (CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_NAME STREQUAL "Windows"))
  message(FATAL_ERROR "WYN_WINE_HOST_CC is for Windows programs run under Wine: configure with "
    "--toolchain cmake/toolchains/mingw-w64-x86_64.cmake (preset windows)")
endif()
set(_wyn_host_run "${CMAKE_BINARY_DIR}/wine/host_run.exe")
set(_wyn_host_run_source "${CMAKE_CURRENT_LIST_DIR}/helpers/host_run.c")
if(NOT EXISTS "${_wyn_host_run}" OR "${_wyn_host_run_source}" IS_NEWER_THAN "${_wyn_host_run}")
  file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/wine")
  execute_process(COMMAND "${CMAKE_C_COMPILER}" -O2 -Wall -static -o "${_wyn_host_run}"
      "${_wyn_host_run_source}"
    RESULT_VARIABLE _wyn_rc OUTPUT_VARIABLE _wyn_out ERROR_VARIABLE _wyn_out)
  if(NOT _wyn_rc EQUAL 0)
    message(FATAL_ERROR "wyn: cannot build ${_wyn_host_run}:\n${_wyn_out}")
  endif()
endif()
set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  "${_wyn_host_run_source}")
set(ENV{WYN_CC} "${_wyn_host_run} ${WYN_WINE_HOST_CC}")
message(STATUS "wyn: the stand-in's C compiler under Wine: $ENV{WYN_CC}")
