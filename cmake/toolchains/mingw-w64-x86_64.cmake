# Cross-compiling for 64-bit Windows with Debian's mingw-w64 (packages
# g++-mingw-w64-x86-64 and, to run the results, wine64):
#
#   cmake -S . -B build-win --toolchain cmake/toolchains/mingw-w64-x86_64.cmake
#
# The -posix compilers, not the default -win32 ones: those lack std::thread
# and std::mutex. Everything is linked statically, so that the programs need
# no mingw DLLs beside them, under Wine or on a real Windows. Programs that
# CMake, Ninja and CTest run go through Wine (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(_wyn_mingw x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_wyn_mingw}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_wyn_mingw}-g++-posix)
set(CMAKE_RC_COMPILER ${_wyn_mingw}-windres)

# Headers and libraries of the target only; programs (Wine, Python) of the host.
set(CMAKE_FIND_ROOT_PATH /usr/${_wyn_mingw})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")

# Wine runs them through wine-run.sh, which prepares the prefix and the
# Wine server first (see the script).
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(WYN_WINE NAMES wine64 PATHS /usr/lib/wine NO_DEFAULT_PATH)
  find_program(WYN_WINE NAMES wine64 wine)
  if(WYN_WINE)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${CMAKE_CURRENT_LIST_DIR}/wine-run.sh")
  endif()
endif()
