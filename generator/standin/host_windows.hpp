#pragma once
// What host_windows.cpp shares with run_windows.cpp.

#include <string>
#include <vector>

namespace wyn::standin {

/// UTF-8 to UTF-16 and back.
std::wstring widen(const std::string& text);
std::string narrow(const std::wstring& text);

/// `argv` as one command line that CommandLineToArgvW splits back into it.
std::wstring command_line(const std::vector<std::string>& argv);

/// The system's sentence for a Win32 error code, without its final period.
std::string describe_error(unsigned long code);

/// No error box and no debugger for a crash of this process or of those it
/// starts (they inherit the error mode): Windows' counterpart of "no core file".
void quiet_crashes();

}  // namespace wyn::standin
