#include "surface/scan_summary.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/json_fields.h"
#include "core/x86_kernels.h"

namespace scarscope {

namespace {

// The valid points of a map: how many, their extremes, and whether any is not finite.
struct ValidExtremes {
  std::size_t count = 0;
  float lowest = std::numeric_limits<float>::infinity(), highest = -std::numeric_limits<float>::infinity();
  bool not_finite = false;
};

// Branch-free, one point at a time from `start` (the AVX2 copy's tail, and the whole map without AVX2).
void valid_extremes_portable(const float* z, const std::uint8_t* valid, std::size_t start, std::size_t count,
                             ValidExtremes* out) {
  constexpr std::uint32_t kExponentBits = 0x7f800000u;
  std::size_t n = 0;
  float low = out->lowest, high = out->highest;
  unsigned not_finite = 0;
  for (std::size_t i = start; i < count; ++i) {
    const bool keep = valid[i] != 0;
    const float h = z[i];
    n += keep ? 1 : 0;
    low = keep && h < low ? h : low;
    high = keep && h > high ? h : high;
    not_finite |= keep & ((std::bit_cast<std::uint32_t>(h) & kExponentBits) == kExponentBits);
  }
  out->count += n;
  out->lowest = low;
  out->highest = high;
  out->not_finite = out->not_finite || not_finite != 0;
}

#if SCARSCOPE_X86_KERNELS
// Eight points a step: per-lane extremes (exact in any order for finite values), counts and the
// not-finite flag under the mask.
__attribute__((target("avx2"))) void valid_extremes_avx2(const float* z, const std::uint8_t* valid, std::size_t count,
                                                         ValidExtremes* out) {
  const __m256 plus_inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
  const __m256 minus_inf = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  const __m256i exponent = _mm256_set1_epi32(0x7f800000);
  __m256 lowest = plus_inf, highest = minus_inf;
  __m256i counts = _mm256_setzero_si256(), bad = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256i keep = _mm256_cmpgt_epi32(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(valid + i))), _mm256_setzero_si256());
    const __m256 h = _mm256_loadu_ps(z + i);
    const __m256 k = _mm256_castsi256_ps(keep);
    lowest = _mm256_min_ps(_mm256_blendv_ps(plus_inf, h, k), lowest);
    highest = _mm256_max_ps(_mm256_blendv_ps(minus_inf, h, k), highest);
    counts = _mm256_sub_epi32(counts, keep);  // (lane counts stay far below 2^31: maps are < 2^34 points)
    const __m256i e = _mm256_and_si256(_mm256_castps_si256(h), exponent);
    bad = _mm256_or_si256(bad, _mm256_and_si256(keep, _mm256_cmpeq_epi32(e, exponent)));
  }
  float low[8], high[8];
  std::uint32_t n[8];
  _mm256_storeu_ps(low, lowest);
  _mm256_storeu_ps(high, highest);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(n), counts);
  for (int k = 0; k < 8; ++k) {
    out->count += n[k];
    out->lowest = std::min(out->lowest, low[k]);
    out->highest = std::max(out->highest, high[k]);
  }
  out->not_finite = out->not_finite || !_mm256_testz_si256(bad, bad);
  valid_extremes_portable(z, valid, i, count, out);
}
#endif  // SCARSCOPE_X86_KERNELS

ValidExtremes valid_extremes(const HeightMap& map) {
  ValidExtremes out;
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) {
    valid_extremes_avx2(map.heights(), map.mask(), map.size(), &out);
    return out;
  }
#endif
  valid_extremes_portable(map.heights(), map.mask(), 0, map.size(), &out);
  return out;
}

}  // namespace

ScanSummary summarize_scan(const HeightMap& map) {
  // One vectorised pass counts the valid points and takes their extremes: OpenCV's masked
  // cv::minMaxIdx goes point by point (~7 instructions a point). Its figures are those of any
  // order when the valid heights are finite and neither extreme is zero (+0 and -0 compare equal:
  // OpenCV keeps the first met); otherwise OpenCV is asked, so the figures stay its own.
  const std::size_t count = map.size();
  std::size_t valid_points = 0;
  double z_min = 0.0, z_max = 0.0;
  if (count > 0) {
    const ValidExtremes extremes = valid_extremes(map);
    valid_points = extremes.count;
    if (valid_points > 0) {
      if (!extremes.not_finite && extremes.lowest != 0.0f && extremes.highest != 0.0f) {
        z_min = extremes.lowest;
        z_max = extremes.highest;
      } else {
        const cv::Mat z(map.ny(), map.nx(), CV_32F, const_cast<float*>(map.heights()));
        const cv::Mat valid(map.ny(), map.nx(), CV_8U, const_cast<std::uint8_t*>(map.mask()));
        cv::minMaxIdx(z, &z_min, &z_max, nullptr, nullptr, valid);
      }
    }
  }
  ScanSummary summary;
  summary.file = std::filesystem::path(map.metadata.source_file).filename().string();
  summary.format = map.metadata.source_format;
  summary.nx = map.nx();
  summary.ny = map.ny();
  summary.dx_um = map.dx_um();
  summary.dy_um = map.dy_um();
  summary.valid_points = valid_points;
  summary.valid_fraction = count ? static_cast<double>(valid_points) / static_cast<double>(count) : 0.0;
  if (valid_points > 0) {
    summary.z_min_um = static_cast<float>(z_min);  // float, as the heights are (the JSON digits stay)
    summary.z_max_um = static_cast<float>(z_max);
  }
  summary.checksum_ok = map.metadata.checksum_ok;
  summary.warnings = map.metadata.warnings;
  summary.instrument = map.metadata.instrument;
  summary.date = map.metadata.date;
  return summary;
}

nlohmann::json scan_summary_to_json(const ScanSummary& summary) {
  nlohmann::json scan;
  scan["file"] = summary.file;
  scan["format"] = summary.format;
  scan["nx"] = summary.nx;
  scan["ny"] = summary.ny;
  scan["dx_um"] = summary.dx_um;
  scan["dy_um"] = summary.dy_um;
  scan["valid_points"] = summary.valid_points;
  scan["valid_fraction"] = summary.valid_fraction;
  scan["z_min_um"] = summary.z_min_um ? nlohmann::json(*summary.z_min_um) : nlohmann::json(nullptr);
  scan["z_max_um"] = summary.z_max_um ? nlohmann::json(*summary.z_max_um) : nlohmann::json(nullptr);
  scan["checksum_ok"] = summary.checksum_ok ? nlohmann::json(*summary.checksum_ok) : nlohmann::json(nullptr);
  scan["warnings"] = summary.warnings;
  if (!summary.instrument.empty()) scan["instrument"] = summary.instrument;
  if (!summary.date.empty()) scan["date"] = summary.date;
  return scan;
}

nlohmann::json scan_summary_json(const HeightMap& map) { return scan_summary_to_json(summarize_scan(map)); }

ScanSummary scan_summary_from_json(const nlohmann::json& scan, const std::string& source, const std::string& path) {
  const JsonField object(scan, source, path);
  object.expect_object();
  ScanSummary summary;
  summary.file = object.required("file").text();
  summary.format = object.required("format").text();
  summary.nx = static_cast<int>(object.required("nx").integer_between(0, 1LL << 31));
  summary.ny = static_cast<int>(object.required("ny").integer_between(0, 1LL << 31));
  summary.dx_um = object.required("dx_um").number();
  summary.dy_um = object.required("dy_um").number();
  summary.valid_points = static_cast<std::size_t>(object.required("valid_points").integer_between(0, 1LL << 62));
  summary.valid_fraction = object.required("valid_fraction").number_between(0.0, 1.0);
  if (const auto z = object.optional("z_min_um")) summary.z_min_um = z->number_float();
  if (const auto z = object.optional("z_max_um")) summary.z_max_um = z->number_float();
  if (const auto ok = object.optional("checksum_ok")) summary.checksum_ok = ok->boolean();
  if (const auto warnings = object.optional("warnings")) summary.warnings = warnings->texts();
  if (const auto instrument = object.optional("instrument")) summary.instrument = instrument->text();
  if (const auto date = object.optional("date")) summary.date = date->text();
  return summary;
}

}  // namespace scarscope
