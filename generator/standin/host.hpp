#pragma once
// The stand-in compiler's contact with the operating system: starting and
// waiting for a C compiler, its own path, temporary directories, time, and
// dying on purpose. One implementation per platform, host_posix.cpp and
// host_windows.cpp; toolchain.hpp declares the two of them that the
// compilers' logic calls by name (run_command, die_by).

#include <cstdint>
#include <string>
#include <string_view>

namespace wyn::standin {

#ifdef _WIN32
/// What ends a directory name in a path.
inline constexpr std::string_view k_path_separators = "/\\";
/// What separates the directories of PATH.
inline constexpr char k_path_list_separator = ';';
/// What the C compiler appends to an executable's name (`gcc -o x` writes x.exe).
inline constexpr std::string_view k_executable_suffix = ".exe";
#else
inline constexpr std::string_view k_path_separators = "/";
inline constexpr char k_path_list_separator = ':';
inline constexpr std::string_view k_executable_suffix = "";
#endif

/// CPU time this process has used, in milliseconds.
double cpu_ms();

/// Sleeps `ms` milliseconds, whatever interrupts it.
void sleep_ms(int64_t ms);

/// The absolute path of this executable; "" when it cannot be known.
std::string own_executable();

/// Whether `directory` holds a program called `name` that PATH lookup would
/// run (Windows: `name.exe`).
bool has_program(const std::string& directory, const std::string& name);

/// $TMPDIR when set and non-empty, else the system's temporary directory
/// (/tmp; Windows: GetTempPathW, from TMP or TEMP).
std::string temp_directory();

/// Creates a fresh directory `prefix` followed by six characters, as
/// mkdtemp does. Returns its path, or "" with `error` saying why.
std::string make_unique_directory(const std::string& prefix, std::string& error);

}  // namespace wyn::standin
