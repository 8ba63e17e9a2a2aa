// Replays every fuzz seed, corpus file and crasher through the file readers (and the analysis) as
// an ordinary test:
//   fuzz_replay FUZZ_DIR
// Each file under FUZZ_DIR/{seeds,corpus,crashers}/<name>/ is read from memory with
// scarscope::read_height_map as an upload named input.<name> (no sidecar); those under analyze/ are
// analysed as fuzz_analyze does (fuzz_analyze_common.h). A refusal (InputError) is the right answer
// to a bad file; any other exception fails the run, and a crash ends it.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <system_error>
#include <typeinfo>
#include <vector>

#include "core/error.h"
#include "fuzz_analyze_common.h"
#include "surface/formats/format_common.h"
#include "surface/io.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_replay FUZZ_DIR (holding seeds/, corpus/ and crashers/)\n";
    return 2;
  }
  const fs::path root = argv[1];

  scarscope::ReadOptions options;
  options.units = "um";
  options.spacing_um = 10.0;

  std::size_t replayed = 0;
  std::size_t failures = 0;
  for (const char* folder : {"seeds", "corpus", "crashers"}) {
    const fs::path base = root / folder;
    std::error_code ec;
    if (!fs::is_directory(base, ec)) continue;
    std::vector<fs::path> formats;
    for (const auto& entry : fs::directory_iterator(base)) {
      if (entry.is_directory()) formats.push_back(entry.path());
    }
    std::sort(formats.begin(), formats.end());
    for (const fs::path& format_dir : formats) {
      const std::string name = format_dir.filename().string();
      std::vector<fs::path> files;
      for (const auto& entry : fs::directory_iterator(format_dir)) {
        const std::string file_name = entry.path().filename().string();
        if (entry.is_regular_file() && !file_name.empty() && file_name[0] != '.') files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      std::size_t count = 0;
      std::size_t refused = 0;
      for (const fs::path& file : files) {
        if (name == "analyze") {
          ++count;
          try {
            const std::string bytes = scarscope::formats::read_file_bytes(file);
            const bool analysed = scarscope::fuzz::analyze_fuzz_bytes(
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
            if (!analysed) ++refused;
          } catch (const std::exception& error) {
            std::cerr << "FAIL " << file.string() << ": " << typeid(error).name() << ": " << error.what() << "\n";
            ++failures;
          }
          continue;
        }
        ++count;
        try {
          const std::string bytes = scarscope::formats::read_file_bytes(file);
          scarscope::ByteSource source;
          source.name = "input." + name;
          (void)scarscope::read_height_map(scarscope::as_bytes(bytes), source, options);
        } catch (const scarscope::InputError&) {
          ++refused;  // a refusal with a message: correct for a bad file
        } catch (const std::exception& error) {
          std::cerr << "FAIL " << file.string() << ": " << typeid(error).name() << ": " << error.what() << "\n";
          ++failures;
        }
      }
      std::cout << folder << "/" << name << ": replayed " << count << " files (" << refused << " refused with a message, "
                << count - refused << " read)\n";
      replayed += count;
    }
  }
  if (replayed == 0) {
    std::cerr << "no files replayed under " << root << " (expected seeds/<name>/, corpus/<name>/, crashers/<name>/)\n";
    return 1;
  }
  std::cout << replayed << " files replayed, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
