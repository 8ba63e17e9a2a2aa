// One entry point for the analysis fuzz target (fuzz_analyze) and for the tests that replay its
// seeds, corpus and crashers (tests/scars/test_analysis_fuzz_corpus.cpp, fuzz/replay.cpp), so all
// run the analysis exactly alike: small grids (8-64 points a side) whose heights may be anything a
// hostile file can hold (1e30, denormals, NaN, a patch a kilometre deep, a flat plane).
// An InputError is the right answer to heights no skin has; anything else escaping, a crash, a
// runaway allocation or undefined behaviour is a bug. Whatever the analysis returns must hold
// together: finite numbers, scars inside the scan, depths within the relief it accepted.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "core/error.h"
#include "scars/analysis.h"
#include "surface/height_map.h"
#include "surface/height_range.h"

namespace scarscope::fuzz {

// The bytes as a small height map:
//   byte 0, 1   columns and rows, 8 + (b % 57)
//   byte 2      spacing: low nibble dx, high nibble dy, from {1, 2, 5, 10, 20, 30, 50, 100, 200} um
//   byte 3      how the heights are coded (low 2 bits) and a plane's tilt (the rest)
//   byte 4      scale of the coded values: 2^(b % 64 - 24) um (1/16 million to 1e12 um)
//   the rest    heights, repeated as needed: 0 int16 x scale; 1 raw float32 (NaN, inf and all);
//               2 int8 x scale on the tilted plane; 3 int16 x scale, -32768 missing
inline HeightMap fuzz_height_map(std::span<const std::uint8_t> data) {
  static constexpr double kSpacings[] = {1, 2, 5, 10, 20, 30, 50, 100, 200};
  const auto byte = [&](std::size_t i) -> std::uint8_t { return i < data.size() ? data[i] : 0; };
  const int nx = 8 + byte(0) % 57, ny = 8 + byte(1) % 57;
  const double dx = kSpacings[(byte(2) & 15) % 9], dy = kSpacings[(byte(2) >> 4) % 9];
  const int coding = byte(3) & 3;
  const double tilt = static_cast<double>(byte(3) >> 2) - 32.0;  // um per point
  const double scale = std::ldexp(1.0, byte(4) % 64 - 24);
  const std::span<const std::uint8_t> body = data.size() > 5 ? data.subspan(5) : std::span<const std::uint8_t>();
  const std::size_t width = coding == 1 ? 4 : (coding == 2 ? 1 : 2);
  HeightMap map(nx, ny, dx, dy);
  map.metadata.source_file = "fuzz";
  for (int row = 0; row < ny; ++row)
    for (int col = 0; col < nx; ++col) {
      if (body.size() < width) {
        map.set(row, col, static_cast<float>(tilt * col));
        continue;
      }
      const std::size_t at = (map.index(row, col) * width) % (body.size() - body.size() % width);
      double value = 0.0;
      if (coding == 1) {
        float raw = 0.0f;
        std::memcpy(&raw, body.data() + at, 4);
        value = raw;
      } else if (coding == 2) {
        value = tilt * col + static_cast<std::int8_t>(body[at]) * scale;
      } else {
        std::int16_t raw = 0;
        std::memcpy(&raw, body.data() + at, 2);
        if (coding == 3 && raw == -32768) {
          map.set_missing(row, col);
          continue;
        }
        value = raw * scale;
      }
      // Beyond float's range: infinite, so missing (as every reader does).
      map.set(row, col, std::fabs(value) <= 3.4e38 ? static_cast<float>(value) : INFINITY);
    }
  return map;
}

inline void require(bool condition) {
  if (!condition) std::abort();
}

// Analyses the bytes' height map; false when it was refused with an InputError.
inline bool analyze_fuzz_bytes(std::span<const std::uint8_t> data) {
  HeightMap map = fuzz_height_map(data);
  const double width_mm = map.nx() * map.dx_um() / 1000.0, height_mm = map.ny() * map.dy_um() / 1000.0;
  try {
    HeightMap relief;
    const ScanAnalysis analysis = analyze_height_map(std::move(map), {}, &relief);
    for (const Scar& scar : analysis.inventory.scars) {
      require(std::isfinite(scar.area_mm2) && scar.area_mm2 > 0.0 && scar.area_mm2 <= 4.0 * width_mm * height_mm);
      require(std::isfinite(scar.depth_um) && scar.depth_um >= 0.0 && scar.depth_um <= 4.0 * kMaxReliefUm);
      require(std::isfinite(scar.volume_mm3) && std::isfinite(scar.diameter_mm) && std::isfinite(scar.wall_slope_deg));
      require(scar.centroid_mm[0] >= -width_mm && scar.centroid_mm[0] <= 2.0 * width_mm);
      require(scar.centroid_mm[1] >= -height_mm && scar.centroid_mm[1] <= 2.0 * height_mm);
    }
    require(std::isfinite(analysis.noise_um));
    require(relief.size() == static_cast<std::size_t>(relief.nx()) * static_cast<std::size_t>(relief.ny()));
    return true;
  } catch (const InputError&) {
    return false;
  }
}

}  // namespace scarscope::fuzz
