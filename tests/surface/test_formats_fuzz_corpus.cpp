// Replays every seed, corpus file and crasher of the format fuzzers (fuzz/{seeds,corpus,crashers}/
// {tiff,png,csv,xyz,ply,obj,stl}/) exactly as the fuzz targets read them: each is read or refused with an
// InputError, never a crash. (fuzz/replay.cpp replays them through read_height_map too, but a PNG
// there has no sidecar, so only this test reaches its decoder.)
#include <gtest/gtest.h>

#include <filesystem>

#include "../../fuzz/fuzz_format_common.h"
#include "surface/formats/format_common.h"

namespace scarscope {
namespace {

namespace fs = std::filesystem;

class FormatFuzzCorpus : public ::testing::TestWithParam<const char*> {};

TEST_P(FormatFuzzCorpus, EveryFileIsReadOrRefusedWithAMessage) {
  const std::string format = GetParam();
  const fs::path root = fs::path(SCARSCOPE_SOURCE_DIR) / "fuzz";
  std::size_t files = 0, read = 0;
  for (const char* folder : {"seeds", "corpus", "crashers"}) {
    const fs::path dir = root / folder / format;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename().string().front() == '.') continue;
      ++files;
      read += fuzz::read_format_bytes(format, formats::read_file_bytes(entry.path())) ? 1 : 0;
    }
  }
  EXPECT_GT(files, 0u) << "no seeds for " << format;
  EXPECT_GT(read, 0u) << "no " << format << " seed was readable: the seeds no longer exercise the reader";
}

INSTANTIATE_TEST_SUITE_P(Formats, FormatFuzzCorpus, ::testing::Values("tiff", "png", "csv", "xyz", "ply", "obj", "stl"));

}  // namespace
}  // namespace scarscope
