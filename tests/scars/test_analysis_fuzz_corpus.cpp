// Replays every seed, corpus file and crasher of the analysis fuzzer (fuzz/{seeds,corpus,crashers}/
// analyze/) exactly as fuzz_analyze runs them: each small grid of hostile heights is analysed or
// refused with an InputError, never a crash, a runaway or a result that does not hold together.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "../../fuzz/fuzz_analyze_common.h"
#include "core/bytes.h"
#include "surface/formats/format_common.h"

namespace scarscope {
namespace {

namespace fs = std::filesystem;

TEST(AnalysisFuzzCorpus, EveryInputIsAnalysedOrRefusedWithAMessage) {
  const fs::path root = fs::path(SCARSCOPE_SOURCE_DIR) / "fuzz";
  std::size_t files = 0, analysed = 0;
  for (const char* folder : {"seeds", "corpus", "crashers"}) {
    const fs::path dir = root / folder / "analyze";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().filename().string().front() == '.') continue;
      ++files;
      const std::string bytes = formats::read_file_bytes(entry.path());
      const std::span<const std::byte> view = as_bytes(bytes);
      analysed += fuzz::analyze_fuzz_bytes(
                      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(view.data()), view.size()))
                      ? 1
                      : 0;
    }
  }
  EXPECT_GE(files, 9u) << "the seeds of fuzz/make_analyze_seeds.py are missing";
  EXPECT_GT(analysed, 0u) << "no input was analysed: the seeds no longer exercise the analysis";
  EXPECT_LT(analysed, files) << "no input was refused: the seeds no longer exercise the height check";
}

TEST(AnalysisFuzzCorpus, TheSeedsHoldAScarAndHeightsNoSkinHas) {
  const fs::path seeds = fs::path(SCARSCOPE_SOURCE_DIR) / "fuzz" / "seeds" / "analyze";
  const auto load = [&](const char* name) {
    const std::string bytes = formats::read_file_bytes(seeds / name);
    return fuzz::fuzz_height_map(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  };
  const ScanAnalysis pit = analyze_height_map(load("pit"));
  ASSERT_EQ(pit.inventory.scars.size(), 1u);
  EXPECT_NEAR(pit.inventory.scars[0].depth_um, 150.0, 30.0);
  EXPECT_THROW((void)analyze_height_map(load("extreme_patch")), InputError);
}

}  // namespace
}  // namespace scarscope
