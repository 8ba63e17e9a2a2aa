#include "scars/detection.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <numbers>
#include <queue>
#include <utility>
#include <opencv2/core.hpp>
#include <opencv2/core/hal/intrin.hpp>
#include <opencv2/imgproc.hpp>

#include "core/saturating_cast.h"

#include "core/x86_kernels.h"

namespace scarscope {
namespace {

float median_of(std::vector<float>& values) {
  if (values.empty()) return 0.0f;
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

// median_of four values in this order (nth_element's third smallest), without a copy: by a sorting
// network where no value is NaN or zero, so that values that compare equal are the same bits (where
// one is, nth_element's choice between +0 and -0 is left to it).
float middle_of_four(const float (&values)[4]) {
  bool plain = true;
  for (const float v : values) plain &= v == v && v != 0.0f;
  if (!plain) {
    std::vector<float> copy(values, values + 4);
    return median_of(copy);
  }
  float a = values[0], b = values[1], c = values[2], d = values[3];
  const auto order = [](float& low, float& high) {
    const float l = std::min(low, high), h = std::max(low, high);
    low = l;
    high = h;
  };
  order(a, b);
  order(c, d);
  order(a, c);
  order(b, d);
  order(b, c);
  return c;
}

// Union-find over basins; the root of a merged basin is the deeper one.
struct Basins {
  std::vector<std::int32_t> parent;
  std::vector<float> peak;
  std::vector<std::int32_t> peak_index;
  // For basins at least the seed depth deep: how many points joined them at each depth below their
  // peak (kBins bins over 0-100 % of the peak), so a merge can tell a flat floor from a bowl.
  static constexpr int kBins = 64;
  std::vector<std::int32_t> profile_of;  // index into profiles, or -1
  std::vector<std::array<std::uint32_t, kBins>> profiles;
  void count_point(std::int32_t root, float level) {
    const std::int32_t k = profile_of[static_cast<std::size_t>(root)];
    if (k < 0) return;
    const float p = peak[static_cast<std::size_t>(root)];
    const int bin = std::clamp(static_cast<int>((p - level) / p * kBins), 0, kBins - 1);
    ++profiles[static_cast<std::size_t>(k)][static_cast<std::size_t>(bin)];
  }
  // Share of the basin's points within `band` of its peak (-1 when not recorded).
  double share_within(std::int32_t root, float band) const {
    const std::int32_t k = profile_of[static_cast<std::size_t>(root)];
    if (k < 0) return -1.0;
    const auto& bins = profiles[static_cast<std::size_t>(k)];
    const float p = peak[static_cast<std::size_t>(root)];
    const int last = std::clamp(static_cast<int>(band / p * kBins), 0, kBins - 1);
    double inside = 0.0, total = 0.0;
    for (int b = 0; b < kBins; ++b) {
      total += bins[static_cast<std::size_t>(b)];
      if (b <= last) inside += bins[static_cast<std::size_t>(b)];
    }
    return total > 0.0 ? inside / total : -1.0;
  }
  std::int32_t find(std::int32_t b) {
    while (parent[static_cast<std::size_t>(b)] != b) {
      parent[static_cast<std::size_t>(b)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(b)])];
      b = parent[static_cast<std::size_t>(b)];
    }
    return b;
  }
  std::int32_t add(float level, std::int32_t index, float profiled_from) {
    const auto id = static_cast<std::int32_t>(parent.size());
    parent.push_back(id);
    peak.push_back(level);
    peak_index.push_back(index);
    profile_of.push_back(-1);
    if (level >= profiled_from) {
      profile_of.back() = static_cast<std::int32_t>(profiles.size());
      profiles.emplace_back();
      profiles.back().fill(0);
      profiles.back()[0] = 1;
    }
    return id;
  }
};

// Every point of sign × relief above the rim (positive = into the feature), in row-major order,
// with its place in the padded label image (see flood) and its depth: visit(place, depth). Plain
// skin, in long runs, is skipped eight points at a time.
template <class Visit>
void for_each_above_rim(const float* relief, float sign, int nx, int ny, float rim, Visit&& visit) {
  const std::int32_t stride = nx + 2;
  for (int row = 0; row < ny; ++row) {
    const float* z = relief + static_cast<std::size_t>(row) * static_cast<std::size_t>(nx);
    const std::int32_t first = (row + 1) * stride + 1;
    int col = 0;
#if CV_SIMD128
    const cv::v_float32x4 flip = cv::v_setall_f32(-sign), level = cv::v_setall_f32(rim);
    for (; col + 8 <= nx; col += 8) {
      const cv::v_float32x4 low = cv::v_load(z + col) * flip, high = cv::v_load(z + col + 4) * flip;
      const int above = cv::v_signmask(cv::v_reinterpret_as_s32(low > level)) |
                        (cv::v_signmask(cv::v_reinterpret_as_s32(high > level)) << 4);
      for (unsigned bits = static_cast<unsigned>(above); bits != 0; bits &= bits - 1) {
        const int k = col + std::countr_zero(bits);
        visit(first + k, -sign * z[k]);
      }
    }
#else
    for (; col + 8 <= nx; col += 8) {
      bool any = false;
      for (int k = 0; k < 8; ++k) any |= -sign * z[col + k] > rim;
      if (!any) continue;
      for (int k = col; k < col + 8; ++k)
        if (-sign * z[k] > rim) visit(first + k, -sign * z[k]);
    }
#endif
    for (; col < nx; ++col)
      if (-sign * z[col] > rim) visit(first + col, -sign * z[col]);
  }
}

// Sorts `keys` by their upper 32 bits, stably (keys of equal upper bits keep their order): the
// least significant of three 11-bit digits first, a pass skipped where every key has the same
// digit (three passes where four of a byte each were: 66 M -> ~50 M instructions on six tuning
// scans; a stable sort has one result, so the same order). `spare` is scratch. For a few thousand
// keys about five times faster than std::sort of the 64-bit keys.
void sort_by_upper_half(std::vector<std::uint64_t>& keys, std::vector<std::uint64_t>& spare) {
  constexpr int kDigits = 3, kBits = 11;
  constexpr std::uint64_t kDigitMask = (std::uint64_t{1} << kBits) - 1;
  const auto digit = [](std::uint64_t key, int d) { return static_cast<std::size_t>((key >> (32 + kBits * d)) & kDigitMask); };
  std::array<std::array<std::uint32_t, std::size_t{1} << kBits>, kDigits> counts{};  // (24 KB)
  for (const std::uint64_t key : keys)
    for (int d = 0; d < kDigits; ++d) ++counts[static_cast<std::size_t>(d)][digit(key, d)];
  spare.resize(keys.size());
  for (int d = 0; d < kDigits; ++d) {
    auto& count = counts[static_cast<std::size_t>(d)];
    if (count[keys.empty() ? 0 : digit(keys.front(), d)] == keys.size()) continue;  // one digit value
    std::uint32_t running = 0;
    for (std::uint32_t& c : count) {
      const std::uint32_t n = c;
      c = running;
      running += n;
    }
    for (const std::uint64_t key : keys) spare[count[digit(key, d)]++] = key;
    keys.swap(spare);
  }
}

// What flood's points of a patch are marked with in its label image while the patch is traced
// (positive: the elevations' pass, the only one to trace, reads it as no basin of its own).
constexpr std::int32_t kTraced = std::numeric_limits<std::int32_t>::max();

// The points of sign × relief above the rim that lie in a patch of such points (8-connected)
// reaching `seed` somewhere, in row-major order, as 64-bit keys: the place in the padded label
// image (see flood) in the upper half, the index in the relief in the lower. Only such a patch can
// hold a candidate: every basin of another is shallower than the seed, and basins of two patches
// never meet. (For elevations they are few: 4.5 % of the tuning scans' points above the rim.)
// The patches' points are marked kTraced in `padded`; flooding them overwrites every mark.
std::vector<std::uint64_t> seeded_patches(const float* relief, float sign, int nx, int ny, float rim, double seed,
                                          std::int32_t* padded) {
  const std::int32_t stride = nx + 2;
  // The smallest float at least `seed`: d >= it exactly when double(d) >= seed, as candidates are chosen.
  float seed_float = static_cast<float>(seed);
  if (static_cast<double>(seed_float) < seed) seed_float = std::nextafter(seed_float, std::numeric_limits<float>::infinity());
  std::vector<std::uint64_t> keys;
  std::vector<std::int32_t> stack;
  const auto trace = [&](std::int32_t from) {
    padded[(from / nx + 1) * stride + from % nx + 1] = kTraced;
    stack.assign(1, from);
    while (!stack.empty()) {
      const std::int32_t i = stack.back();
      stack.pop_back();
      const int row = i / nx, col = i - row * nx;
      const std::int32_t place = (row + 1) * stride + col + 1;
      keys.push_back((static_cast<std::uint64_t>(place) << 32) | static_cast<std::uint32_t>(i));
      for (int r = std::max(row - 1, 0); r <= std::min(row + 1, ny - 1); ++r)
        for (int c = std::max(col - 1, 0); c <= std::min(col + 1, nx - 1); ++c) {
          const std::int32_t j = r * nx + c, at = (r + 1) * stride + c + 1;
          if (padded[at] != kTraced && -sign * relief[j] > rim) {
            padded[at] = kTraced;
            stack.push_back(j);
          }
        }
    }
  };
  for (int row = 0; row < ny; ++row) {
    const float* z = relief + static_cast<std::size_t>(row) * static_cast<std::size_t>(nx);
    const std::int32_t* marks = padded + (row + 1) * stride + 1;
    const auto seed_at = [&](int col) {
      const float d = -sign * z[col];
      if (d > rim && d >= seed_float && marks[col] != kTraced) trace(row * nx + col);
    };
    int col = 0;
#if CV_SIMD128
    const cv::v_float32x4 flip = cv::v_setall_f32(-sign), level = cv::v_setall_f32(std::max(rim, seed_float));
    for (; col + 8 <= nx; col += 8) {
      // (d >= max(rim, seed) wherever both tests hold: such eight points are tested one by one.)
      const cv::v_float32x4 low = cv::v_load(z + col) * flip, high = cv::v_load(z + col + 4) * flip;
      if (cv::v_check_any((low >= level) | (high >= level)))
        for (int k = col; k < col + 8; ++k) seed_at(k);
    }
#endif
    for (; col < nx; ++col) seed_at(col);
  }
  std::vector<std::uint64_t> spare;
  sort_by_upper_half(keys, spare);
  return keys;
}

// One flooding pass over sign × relief (positive = into the feature), writing sign × (basin id + 1)
// into `padded` for the points it reaches: depressions (sign +1 over minus the closed relief)
// and elevations (sign -1 over the opened relief) share one label image without touching.
// `padded` is the label image with a border of one unlabelled point all round ((nx + 2) x (ny + 2),
// and one spare label after it): every point's eight neighbours are at fixed offsets, with no bounds
// check and no division. `for_each_point(visit)` visits the points to flood (above the rim) in
// row-major order as for_each_above_rim does; it is called twice (counting, then placing) rather
// than keeping a list of the points: no memory beyond the flooding order itself.
template <class ForEachPoint>
void flood(ForEachPoint&& for_each_point, float sign, int nx, float rim, const DetectionSettings& settings, Basins& basins,
           std::int32_t* padded, const std::uint8_t* pit_mouths = nullptr) {
  const std::int32_t polarity = sign > 0 ? 1 : -1;
  const std::int32_t stride = nx + 2;
  // Bucket sort, deepest first (0.25 µm buckets: far finer than noise), row-major within a bucket.
  // Bucket b holds depths in rim + [b, b + 1) x bucket_um; it starts after every deeper bucket.
  // The buckets are sized by the data: at most kMaxBuckets (1 m of depth, 16 MB; the analysis
  // refuses a relief beyond 20 mm first), deeper points share the last one.
  constexpr float bucket_um = 0.25f;
  constexpr std::size_t kMaxBuckets = std::size_t{1} << 22;
  // (d > rim, so (d - rim) / bucket_um is positive and finite: a plain conversion below the cap.)
  const auto bucket_of = [rim](float d) {
    const float bucket = (d - rim) / bucket_um;
    return bucket < static_cast<float>(kMaxBuckets - 1) ? static_cast<std::size_t>(bucket) : kMaxBuckets - 1;
  };
  std::vector<std::uint32_t> start;
  for_each_point([&](std::int32_t, float d) {
    const std::size_t b = bucket_of(d);
    if (b >= start.size()) start.resize(b + 1, 0);
    ++start[b];
  });
  std::uint32_t running = 0;
  for (std::size_t b = start.size(); b-- > 0;) {
    const std::uint32_t n = start[b];
    start[b] = running;
    running += n;
  }
  const std::size_t kept = running;
  if (kept == 0) return;
  // The points and their depths in flooding order (the depths travel with them: looking them up
  // in the relief would cost a cache miss per point, the order being all over the map).
  std::unique_ptr<std::int32_t[]> order(new std::int32_t[kept]);
  std::unique_ptr<float[]> order_depth(new float[kept]);
  for_each_point([&](std::int32_t at, float d) {
    const std::uint32_t k = start[bucket_of(d)]++;
    order[k] = at;
    order_depth[k] = d;
  });

  const float min_dynamic = static_cast<float>(settings.split_min_dynamic_um);
  const float relative_dynamic = static_cast<float>(settings.split_relative_dynamic);
  const float saddle_fraction = static_cast<float>(settings.merge_min_saddle_fraction);
  const float plateau_share = static_cast<float>(settings.split_floor_share);
  const float profiled_from = static_cast<float>(sign > 0 ? settings.seed_depth_um : settings.seed_height_um);
  // The eight neighbours, row by row from the one above left (the order decides ties).
  const std::int32_t offsets[8] = {-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1};
  std::int32_t roots[8];
#if CV_SIMD128
  const cv::v_int32x4 flip = cv::v_setall_s32(polarity < 0 ? -1 : 0);
  const cv::v_int32x4 keep_three(-1, -1, -1, 0), keep_sides(-1, 0, -1, 0);
#endif
  constexpr std::size_t ahead = 8;  // points whose neighbourhood is fetched ahead of time
  for (std::size_t k = 0; k < kept; ++k) {
    if (k + ahead < kept) {
      const std::int32_t later = order[k + ahead];
      __builtin_prefetch(padded + later);
      __builtin_prefetch(padded + (later - stride));
      __builtin_prefetch(padded + (later + stride));
    }
    const std::int32_t at = order[k];
    const float level = order_depth[k];
    // The neighbours' labels (positive: a basin of this pass). Mostly they hold no basin or one
    // (inside a basin's growing area): found without a branch per neighbour.
#if CV_SIMD128
    // Their three rows as four lanes each, from the column to the left: the fourth lane of each
    // and the point itself masked off (hence the padding's one spare label at the end).
    const auto row_of_labels = [&](std::int32_t from, const cv::v_int32x4& keep) {
      const cv::v_int32x4 labels = cv::v_load(padded + from) & keep;
      return (labels ^ flip) - flip;  // times polarity
    };
    const cv::v_int32x4 up = row_of_labels(at - stride - 1, keep_three);
    const cv::v_int32x4 beside = row_of_labels(at - 1, keep_sides);
    const cv::v_int32x4 down = row_of_labels(at + stride - 1, keep_three);
    const std::int32_t top = std::max(0, cv::v_reduce_max(cv::v_max(cv::v_max(up, beside), down)));
#else
    std::int32_t top = 0;
    for (const std::int32_t offset : offsets) top = std::max(top, polarity * padded[at + offset]);
#endif
    if (top == 0) {
      const std::int32_t row = at / stride - 1, col = at % stride - 1;
      padded[at] = polarity * (basins.add(level, row * nx + col, profiled_from) + 1);
      continue;
    }
#if CV_SIMD128
    const cv::v_int32x4 zero = cv::v_setzero_s32(), deepest = cv::v_setall_s32(top);
    const bool one_label = cv::v_check_all(((up <= zero) | (up == deepest)) & ((beside <= zero) | (beside == deepest)) &
                                           ((down <= zero) | (down == deepest)));
#else
    bool one_label = true;
    for (const std::int32_t offset : offsets) {
      const std::int32_t label = polarity * padded[at + offset];
      one_label &= label <= 0 || label == top;
    }
#endif
    if (one_label) {
      const std::int32_t root = basins.find(top - 1);
      basins.count_point(root, level);
      padded[at] = polarity * (root + 1);
      continue;
    }
    std::int32_t around[8];
    for (int n = 0; n < 8; ++n) around[n] = polarity * padded[at + offsets[n]];
    int found = 0;
    std::int32_t previous = 0;  // a neighbour's basin just looked up
    for (const std::int32_t b : around) {
      if (b <= 0 || b == previous) continue;
      previous = b;
      const std::int32_t root = basins.find(b - 1);
      bool seen = false;
      for (int n = 0; n < found; ++n) seen = seen || roots[n] == root;
      if (!seen) roots[found++] = root;
    }
    // The deepest neighbouring basin takes the point; a shallower one merges into it when it is
    // only a minor undulation of its floor.
    std::int32_t main = roots[0];
    for (int n = 1; n < found; ++n)
      if (basins.peak[static_cast<std::size_t>(roots[n])] > basins.peak[static_cast<std::size_t>(main)]) main = roots[n];
    for (int n = 0; n < found; ++n) {
      const std::int32_t other = roots[n];
      if (other == main) continue;
      const float other_peak = basins.peak[static_cast<std::size_t>(other)];
      const float dynamic = other_peak - level;
      // The mouth of a pit whose floor was not seen (deepest at a point filled in as such, its seen
      // wall ringing it: 2) has no floor for the other to be an undulation of, and its depth is only
      // a lower bound: the two are one scar only if the shallower is a ripple (less than
      // split_min_dynamic_um). A dropout on a scar's wall is filled as a mouth too (1), but no wall
      // rings it: it stays part of the scar whose wall it is on.
      const bool pit = pit_mouths != nullptr && (pit_mouths[basins.peak_index[static_cast<std::size_t>(other)]] == 2 ||
                                                 pit_mouths[basins.peak_index[static_cast<std::size_t>(main)]] == 2);
      const bool minor = dynamic < (pit ? min_dynamic : std::max(min_dynamic, relative_dynamic * other_peak));
      const bool high_saddle = level >= saddle_fraction * basins.peak[static_cast<std::size_t>(main)];
      // Two flat floors joined by a saddle or a wall are two scars (touching boxcars): most of
      // each basin lies within half its dynamic of its floor. A bowl's area grows steadily with
      // depth below its floor (about half of it within half the dynamic): an undulating floor.
      const bool two_floors = dynamic >= min_dynamic &&
                              basins.share_within(other, 0.5f * dynamic) >= plateau_share &&
                              basins.share_within(main, 0.5f * (basins.peak[static_cast<std::size_t>(main)] - level)) >= plateau_share;
      if (minor && high_saddle && !two_floors) basins.parent[static_cast<std::size_t>(other)] = main;
    }
    basins.count_point(main, level);
    padded[at] = polarity * (main + 1);
  }
}

// Flat morphology of a 16-bit image (dilation: MaxOp, erosion: MinOp) by a kernel whose rows are
// centred segments (an ellipse), border replicated, exactly as OpenCV's dilate / erode with
// BORDER_REPLICATE. Each input row's running extremes of every half-width a are built once
// (H_1 = op of three neighbours, H_a+1[i] = op(H_a[i - 1], H_a[i + 1])), and each output row is the
// extreme, over the kernel's rows, of the input rows' H of that row's half-width: about 16
// operations per point for an 11 x 11 ellipse instead of one per kernel point (85). A closing on
// 1667 x 1667 points: 6.3 ms against OpenCV 4.6's 9.2 ms in 16 bits and 21-25 ms in float.
struct MaxOp {
  static std::int16_t scalar(std::int16_t a, std::int16_t b) { return std::max(a, b); }
#if CV_SIMD128
  static cv::v_int16x8 vector(const cv::v_int16x8& a, const cv::v_int16x8& b) { return cv::v_max(a, b); }
#endif
#if SCARSCOPE_X86_KERNELS
  __attribute__((target("avx2"))) static __m256i wide(__m256i a, __m256i b) { return _mm256_max_epi16(a, b); }
#endif
};
struct MinOp {
  static std::int16_t scalar(std::int16_t a, std::int16_t b) { return std::min(a, b); }
#if CV_SIMD128
  static cv::v_int16x8 vector(const cv::v_int16x8& a, const cv::v_int16x8& b) { return cv::v_min(a, b); }
#endif
#if SCARSCOPE_X86_KERNELS
  __attribute__((target("avx2"))) static __m256i wide(__m256i a, __m256i b) { return _mm256_min_epi16(a, b); }
#endif
};

#if SCARSCOPE_X86_KERNELS
// The extremes below sixteen points at a time where the processor has AVX2 (chosen at run time;
// min and max are exact, so the result is the same bit for bit): extremes_avx2 does the first
// multiple of 16 points of the row and returns how many that is, the rest left to the portable loops.
__attribute__((target("avx2"))) inline __m256i load16(const std::int16_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
template <class Op>
__attribute__((target("avx2"))) int extremes_avx2(std::int16_t* out, const std::int16_t* a, const std::int16_t* b, int n) {
  int i = 0;
  for (; i + 16 <= n; i += 16) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), Op::wide(load16(a + i), load16(b + i)));
  return i;
}
template <class Op>
__attribute__((target("avx2"))) int extremes_avx2(std::int16_t* out, const std::int16_t* a, const std::int16_t* b,
                                                  const std::int16_t* c, int n) {
  int i = 0;
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), Op::wide(Op::wide(load16(a + i), load16(b + i)), load16(c + i)));
  return i;
}
#endif

// out = op(a, b) (out may be a or b), over n points.
template <class Op>
void extremes(std::int16_t* out, const std::int16_t* a, const std::int16_t* b, int n) {
  int i = 0;
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) i = extremes_avx2<Op>(out, a, b, n);
#endif
#if CV_SIMD128
  for (; i + 8 <= n; i += 8) cv::v_store(out + i, Op::vector(cv::v_load(a + i), cv::v_load(b + i)));
#endif
  for (; i < n; ++i) out[i] = Op::scalar(a[i], b[i]);
}

// out = op(a, b, c), over n points.
template <class Op>
void extremes(std::int16_t* out, const std::int16_t* a, const std::int16_t* b, const std::int16_t* c, int n) {
  int i = 0;
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) i = extremes_avx2<Op>(out, a, b, c, n);
#endif
#if CV_SIMD128
  for (; i + 8 <= n; i += 8)
    cv::v_store(out + i, Op::vector(Op::vector(cv::v_load(a + i), cv::v_load(b + i)), cv::v_load(c + i)));
#endif
  for (; i < n; ++i) out[i] = Op::scalar(Op::scalar(a[i], b[i]), c[i]);
}

// One pass (dilation or erosion) of that morphology, fed a row at a time: a ring of the last
// 2 x reach + 1 input rows, each with its running extremes of every half-width.
template <class Op>
class SegmentPass {
 public:
  SegmentPass(int nx, const std::vector<int>& half)
      : nx_(nx),
        half_(half),
        reach_(static_cast<int>(half.size()) / 2),
        rows_(2 * reach_ + 1),
        widest_(*std::max_element(half.begin(), half.end())),
        padded_(nx + 2 * widest_),
        ring_(static_cast<std::size_t>(rows_) * (static_cast<std::size_t>(widest_) + 1) * static_cast<std::size_t>(padded_)),
        source_(static_cast<std::size_t>(rows_)) {}
  int reach() const { return reach_; }
  // Where input row y (any integer; rows off the image are their replicates) goes: nx values.
  std::int16_t* row(int y) { return h(slot(y), 0) + widest_; }
  // After row(y) was written: its replicated ends and running extremes.
  void loaded(int y) {
    const int s = slot(y);
    std::int16_t* h0 = h(s, 0);
    std::fill(h0, h0 + widest_, h0[widest_]);
    std::fill(h0 + widest_ + nx_, h0 + padded_, h0[widest_ + nx_ - 1]);
    if (widest_ == 0) return;
    extremes<Op>(h(s, 1) + 1, h0, h0 + 1, h0 + 2, padded_ - 2);
    for (int a = 1; a < widest_; ++a) extremes<Op>(h(s, a + 1) + a + 1, h(s, a) + a, h(s, a) + a + 2, padded_ - 2 * a - 2);
  }
  // Output row y into `o` (nx values): input rows y - reach ... y + reach must have been loaded last.
  void output(int y, std::int16_t* o) {
    for (int r = 0; r < rows_; ++r)
      source_[static_cast<std::size_t>(r)] = h(slot(y - reach_ + r), half_[static_cast<std::size_t>(r)]) + widest_;
    int r = 1;
    if (rows_ >= 3) {
      extremes<Op>(o, source_[0], source_[1], source_[2], nx_);
      r = 3;
    } else {
      std::copy(source_[0], source_[0] + nx_, o);
    }
    for (; r + 2 <= rows_; r += 2) extremes<Op>(o, o, source_[static_cast<std::size_t>(r)], source_[static_cast<std::size_t>(r) + 1], nx_);
    for (; r < rows_; ++r) extremes<Op>(o, o, source_[static_cast<std::size_t>(r)], nx_);
  }

 private:
  int slot(int y) const { return ((y % rows_) + rows_) % rows_; }
  std::int16_t* h(int slot, int a) {
    return ring_.data() + (static_cast<std::size_t>(slot) * (static_cast<std::size_t>(widest_) + 1) + static_cast<std::size_t>(a)) *
                              static_cast<std::size_t>(padded_);
  }
  int nx_;
  std::vector<int> half_;
  int reach_, rows_, widest_, padded_;
  std::vector<std::int16_t> ring_;
  std::vector<const std::int16_t*> source_;
};

// dst = saturate_cast<short>(src x a + b) over n values, as cv::Mat::convertTo(CV_16S, a, b) gives
// them (it takes a and b as floats and rounds to nearest, ties to even), and back: dst = src x a + b
// in float, as convertTo(CV_32F, a, b), without its dispatch per call (~1,100 instructions a row
// here, more than the row's work). a is a power of two (the step or its inverse), so src x a is
// exact, and OpenCV's fused multiply-add and this multiply, then add, round alike.
void to_steps(const float* src, std::int16_t* dst, int n, float a, float b) {
  int j = 0;
#if CV_SIMD128
  const cv::v_float32x4 va = cv::v_setall_f32(a), vb = cv::v_setall_f32(b);
  for (; j + 8 <= n; j += 8) {
    const cv::v_int32x4 low = cv::v_round(cv::v_load(src + j) * va + vb);
    const cv::v_int32x4 high = cv::v_round(cv::v_load(src + j + 4) * va + vb);
    cv::v_store(dst + j, cv::v_pack(low, high));
  }
#endif
  for (; j < n; ++j) dst[j] = cv::saturate_cast<std::int16_t>(src[j] * a + b);
}
void from_steps(const std::int16_t* src, float* dst, int n, float a, float b) {
  int j = 0;
#if CV_SIMD128
  const cv::v_float32x4 va = cv::v_setall_f32(a), vb = cv::v_setall_f32(b);
  for (; j + 8 <= n; j += 8) {
    cv::v_int32x4 low, high;
    cv::v_expand(cv::v_load(src + j), low, high);
    cv::v_store(dst + j, cv::v_cvt_f32(low) * va + vb);
    cv::v_store(dst + j + 4, cv::v_cvt_f32(high) * va + vb);
  }
#endif
  for (; j < n; ++j) dst[j] = static_cast<float>(src[j]) * a + b;
}

// Closing (a MaxOp pass, then MinOp) and opening (MinOp, then MaxOp) of `relief` rounded to
// (value - centre) / step, into `closed` and `opened` as step x value + centre: each first pass's
// rows feed its second's as they come, all with replicated borders, so no full-size 16-bit image
// is needed; each input row is rounded once for both (rounding was 4 % of `analyze` done twice).
void close_and_open_rows(const float* relief, float* closed, float* opened, int nx, int ny, const std::vector<int>& half,
                         double step, double centre) {
  SegmentPass<MaxOp> close_first(nx, half), open_second(nx, half);
  SegmentPass<MinOp> open_first(nx, half), close_second(nx, half);
  const int reach = close_first.reach();
  std::vector<std::int16_t> close_between(static_cast<std::size_t>(nx)), open_between(static_cast<std::size_t>(nx));
  std::vector<std::int16_t> result(static_cast<std::size_t>(nx));
  int first_loaded = -reach - 1;  // the last input row the first passes were given
  int produced = -1;              // the last row the first passes put out
  // (The scale and shift as convertTo takes them: floats.)
  const auto to_scale = static_cast<float>(1.0 / step), to_shift = static_cast<float>(-centre / step);
  const auto from_scale = static_cast<float>(step), from_shift = static_cast<float>(centre);
  const auto put = [&](int y, float* out) {
    from_steps(result.data(), out + static_cast<std::size_t>(y) * static_cast<std::size_t>(nx), nx, from_scale, from_shift);
  };
  for (int v = -reach; v < ny + reach; ++v) {  // the second passes' input rows, replicated beyond the image
    const int needed = std::clamp(v, 0, ny - 1);
    if (needed > produced) {
      for (; first_loaded < needed + reach; ++first_loaded) {
        const int y = first_loaded + 1;
        std::int16_t* rounded = close_first.row(y);
        const float* from = relief + static_cast<std::size_t>(std::clamp(y, 0, ny - 1)) * static_cast<std::size_t>(nx);
        to_steps(from, rounded, nx, to_scale, to_shift);
        std::copy(rounded, rounded + nx, open_first.row(y));
        close_first.loaded(y);
        open_first.loaded(y);
      }
      close_first.output(needed, close_between.data());
      open_first.output(needed, open_between.data());
      produced = needed;
    }
    std::copy(close_between.begin(), close_between.end(), close_second.row(v));
    std::copy(open_between.begin(), open_between.end(), open_second.row(v));
    close_second.loaded(v);
    open_second.loaded(v);
    const int y = v - reach;
    if (y < 0) continue;
    close_second.output(y, result.data());
    put(y, closed);
    open_second.output(y, result.data());
    put(y, opened);
  }
}

// The half-width of each row of `element` if every row is a segment centred on the middle column
// (an ellipse); else empty.
std::vector<int> centred_segments(const cv::Mat& element) {
  std::vector<int> half;
  const int centre = element.cols / 2;
  for (int r = 0; r < element.rows; ++r) {
    const std::uint8_t* row = element.ptr<std::uint8_t>(r);
    const int n = cv::countNonZero(element.row(r));
    if (n % 2 == 0) return {};
    for (int c = 0; c < element.cols; ++c)
      if ((row[c] != 0) != (std::abs(c - centre) <= n / 2)) return {};
    half.push_back(n / 2);
  }
  return half;
}

// Whether a missing patch of `points` points is too narrow to be a pit's mouth.
bool too_narrow_for_pit(std::size_t points, const HeightMap& relief, const DetectionSettings& settings) {
  const double area_um2 = static_cast<double>(points) * relief.dx_um() * relief.dy_um();
  const double radius_um = std::sqrt(area_um2 / std::numbers::pi);
  return 2.0 * radius_um < settings.unseen_pit_min_diameter_mm * 1000.0;
}

// The slope (µm per µm) at which the wall descends into a missing patch, if the patch is round,
// wide enough and the skin on a ring unseen_pit_ring_mm outside it lies at least
// unseen_pit_min_descent_um above its rim (`rim_level`); else 0. The slope is the wall's just
// outside the rim (over two points or 40 µm), the steepest part of it that was seen.
float unseen_pit_slope(const HeightMap& relief, const std::vector<std::size_t>& patch, float rim_level,
                       const DetectionSettings& settings) {
  if (too_narrow_for_pit(patch.size(), relief, settings)) return 0.0f;
  const double area_um2 = static_cast<double>(patch.size()) * relief.dx_um() * relief.dy_um();
  const double radius_um = std::sqrt(area_um2 / std::numbers::pi);
  const int nx = relief.nx();
  int min_row = relief.ny(), max_row = -1, min_col = nx, max_col = -1;
  double cx = 0.0, cy = 0.0;
  for (const std::size_t i : patch) {
    const int row = static_cast<int>(i / static_cast<std::size_t>(nx)), col = static_cast<int>(i % static_cast<std::size_t>(nx));
    min_row = std::min(min_row, row);
    max_row = std::max(max_row, row);
    min_col = std::min(min_col, col);
    max_col = std::max(max_col, col);
    cx += col;
    cy += row;
  }
  cx /= static_cast<double>(patch.size());
  cy /= static_cast<double>(patch.size());
  // Round: fills at least half its bounding box, which is at most twice as long as wide.
  const double w = (max_col - min_col + 1) * relief.dx_um(), h = (max_row - min_row + 1) * relief.dy_um();
  if (area_um2 < 0.5 * w * h || std::max(w, h) > 2.0 * std::min(w, h)) return 0.0f;
  // Median height of the valid points on a ring around it; NaN when mostly off the scan or unseen.
  const auto ring_level = [&](double ring_um) {
    std::vector<float> ring;
    for (int k = 0; k < 72; ++k) {
      const double angle = 2.0 * std::numbers::pi * k / 72.0;
      const int col = round_saturating<int>(cx + ring_um * std::cos(angle) / relief.dx_um(), -1);
      const int row = round_saturating<int>(cy + ring_um * std::sin(angle) / relief.dy_um(), -1);
      if (row < 0 || row >= relief.ny() || col < 0 || col >= nx) continue;
      const std::size_t i = relief.index(row, col);
      if (relief.mask()[i]) ring.push_back(relief.heights()[i]);
    }
    return ring.size() < 36 ? std::numeric_limits<float>::quiet_NaN() : median_of(ring);
  };
  const float skin = ring_level(radius_um + settings.unseen_pit_ring_mm * 1000.0);
  if (!(skin - rim_level >= settings.unseen_pit_min_descent_um)) return 0.0f;
  const double step_um = std::max(40.0, 2.0 * std::max(relief.dx_um(), relief.dy_um()));
  const float near = ring_level(radius_um + step_um);
  if (!(near > rim_level)) return 0.0f;
  return static_cast<float>((near - rim_level) / step_um);
}

// Whether the seen wall rings a missing patch (centre (cx, cy) in points, equivalent radius
// radius_um), dropping into it: in at least two thirds of 12 sectors round it where the relief just
// outside was seen, it descends towards the patch (the median over the sector, of 6 directions)
// more steeply than a flat floor may slope (split_floor_max_slope), over the step the wall's slope
// is taken on in unseen_pit_slope. A pit's own wall rings it, most of the way round also where the
// pit is cut into a boxcar's floor; a wall merely tilted across the patch (a dropout on a boxcar's
// or a rolling scar's wall, the floor on one side, the skin on the other) descends towards it on
// half of the sectors at most.
bool walled_round(const HeightMap& relief, double cx, double cy, double radius_um, const DetectionSettings& settings) {
  const double point_um = std::max(relief.dx_um(), relief.dy_um());
  const double step_um = std::max(40.0, 2.0 * point_um);
  const auto at = [&](double distance_um, double angle, float& z) {
    const int col = round_saturating<int>(cx + distance_um * std::cos(angle) / relief.dx_um(), -1);
    const int row = round_saturating<int>(cy + distance_um * std::sin(angle) / relief.dy_um(), -1);
    if (row < 0 || row >= relief.ny() || col < 0 || col >= relief.nx()) return false;
    const std::size_t i = relief.index(row, col);
    z = relief.heights()[i];
    return relief.mask()[i] != 0;
  };
  constexpr int kSectors = 12, kRays = 6;
  int seen = 0, descending = 0;
  std::vector<float> drops;
  for (int sector = 0; sector < kSectors; ++sector) {
    drops.clear();
    for (int ray = 0; ray < kRays; ++ray) {
      const double angle = 2.0 * std::numbers::pi * (sector * kRays + ray) / (kSectors * kRays);
      float rim = 0.0f, out = 0.0f;
      if (at(radius_um + point_um, angle, rim) && at(radius_um + point_um + step_um, angle, out)) drops.push_back(out - rim);
    }
    if (2 * drops.size() < kRays) continue;  // mostly unseen or off the scan
    ++seen;
    descending += median_of(drops) > settings.split_floor_max_slope * step_um;
  }
  return 2 * seen >= kSectors && 3 * descending >= 2 * seen;
}

}  // namespace

int fill_missing_relief(HeightMap& relief, const DetectionSettings& settings, std::vector<std::size_t>* pit_mouths,
                        std::vector<std::size_t>* walled_mouths) {
  // One missing patch (8-connected) at a time, found by a flood from its first point: memory in
  // proportion to the patch, not to the scan. A point is marked as visited by giving it a finite
  // height (missing points are NaN), so no full-size label image is needed.
  const int nx = relief.nx();
  const int ny = relief.ny();
  const std::uint8_t* mask = relief.mask();
  float* z = relief.heights();
  const std::size_t count = relief.size();
  // The next missing point at or after `from` (memchr: the scan is mostly complete).
  const auto next_missing = [mask, count](std::size_t from) {
    if (from >= count) return count;
    const void* hit = std::memchr(mask + from, 0, count - from);
    return hit ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(hit) - mask) : count;
  };
  const std::size_t first_missing = next_missing(0);
  if (first_missing == count) return 0;
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  // Every missing point NaN: the mask read sixteen points at a time, the heights written only
  // where a point is missing (not every height after the first missing point).
  std::size_t at = first_missing;
#if CV_SIMD128
  for (; at + 16 <= count; at += 16) {
    const int missing = cv::v_signmask(cv::v_load(mask + at) == cv::v_setzero_u8());
    for (unsigned bits = static_cast<unsigned>(missing); bits != 0; bits &= bits - 1) z[at + static_cast<unsigned>(std::countr_zero(bits))] = nan;
  }
#endif
  for (; at < count; ++at)
    if (mask[at] == 0) z[at] = nan;
  int patches = 0;
  std::vector<std::size_t> patch, stack, rim;
  std::vector<float> rim_heights;
  // Whether missing point i lies inside the map with all eight neighbours valid: a patch of its own
  // (most patches: scattered dropouts), whose rim is its four nearest neighbours. Unless the
  // settings make a point wide enough to be a pit's mouth (then the flood below does it all), such
  // a patch is filled at once with their median, as below.
  const bool point_too_narrow = too_narrow_for_pit(1, relief, settings);
  const auto alone = [&](std::size_t i) -> bool {
    const auto row = static_cast<int>(i / static_cast<std::size_t>(nx)), col = static_cast<int>(i % static_cast<std::size_t>(nx));
    if (row == 0 || row == ny - 1 || col == 0 || col == nx - 1) return false;
    const std::uint8_t* above = mask + i - static_cast<std::size_t>(nx);
    const std::uint8_t* below = mask + i + static_cast<std::size_t>(nx);
    return (above[-1] != 0) & (above[0] != 0) & (above[1] != 0) & (mask[i - 1] != 0) & (mask[i + 1] != 0) & (below[-1] != 0) &
           (below[0] != 0) & (below[1] != 0);
  };
  for (std::size_t first = first_missing; first < count; first = next_missing(first + 1)) {
    if (!std::isnan(z[first])) continue;
    ++patches;
    if (point_too_narrow && alone(first)) {
      // The flood below would find the point alone and its rim, sorted, in this order.
      const float around[4] = {z[first - static_cast<std::size_t>(nx)], z[first - 1], z[first + 1], z[first + static_cast<std::size_t>(nx)]};
      z[first] = middle_of_four(around);
      continue;
    }
    patch.clear();
    rim.clear();
    stack.assign(1, first);
    z[first] = 0.0f;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      patch.push_back(i);
      const int row = static_cast<int>(i / static_cast<std::size_t>(nx));
      const int col = static_cast<int>(i % static_cast<std::size_t>(nx));
      for (int dr = -1; dr <= 1; ++dr) {
        const int r = row + dr;
        if (r < 0 || r >= ny) continue;
        for (int dc = -1; dc <= 1; ++dc) {
          const int c = col + dc;
          if ((dr == 0 && dc == 0) || c < 0 || c >= nx) continue;
          const std::size_t j = relief.index(r, c);
          if (mask[j]) {
            // A valid point on the edge (4-neighbour) of the patch belongs to its rim.
            if (dr == 0 || dc == 0) rim.push_back(j);
          } else if (std::isnan(z[j])) {
            z[j] = 0.0f;
            stack.push_back(j);
          }
        }
      }
    }
    std::sort(rim.begin(), rim.end());
    rim.erase(std::unique(rim.begin(), rim.end()), rim.end());
    rim_heights.clear();
    for (const std::size_t j : rim) rim_heights.push_back(z[j]);
    const float level = median_of(rim_heights);
    const float slope = unseen_pit_slope(relief, patch, level, settings);
    if (slope <= 0.0f) {
      for (const std::size_t i : patch) z[i] = level;
      continue;
    }
    // The mouth of a pit: a cone from the rim inwards, as steep as the wall above the rim.
    double cx = 0.0, cy = 0.0;
    for (const std::size_t i : patch) {
      cx += static_cast<double>(i % static_cast<std::size_t>(nx));
      cy += static_cast<double>(i / static_cast<std::size_t>(nx));
    }
    cx /= static_cast<double>(patch.size());
    cy /= static_cast<double>(patch.size());
    const double radius_um = std::sqrt(static_cast<double>(patch.size()) * relief.dx_um() * relief.dy_um() / std::numbers::pi);
    for (const std::size_t i : patch) {
      const double ex = (static_cast<double>(i % static_cast<std::size_t>(nx)) - cx) * relief.dx_um();
      const double ey = (static_cast<double>(i / static_cast<std::size_t>(nx)) - cy) * relief.dy_um();
      z[i] = level - static_cast<float>(slope * std::max(0.0, radius_um - std::hypot(ex, ey)));
    }
    if (pit_mouths) pit_mouths->insert(pit_mouths->end(), patch.begin(), patch.end());
    if (walled_mouths && walled_round(relief, cx, cy, radius_um, settings))
      walled_mouths->insert(walled_mouths->end(), patch.begin(), patch.end());
  }
  return patches;
}

namespace {
// row_sum[i] += the float sum, left to right, of the F heights z[F i ... F i + F - 1], for the first
// multiple of four of `cells` cells, four at a time; returns how many that is. (The scalar loop
// after it starts each sum at 0.0f: 0 + z differs from z only as -0 does from +0, which adding
// the sum to row_sum, +0 or not zero, cannot tell apart.)
template <int F>
int add_block_sums(const float* z, double* row_sum, int cells) {
  int i = 0;
#if CV_SIMD128 && CV_SIMD128_64F
  for (; i + 4 <= cells; i += 4) {
    cv::v_float32x4 sum;
    if constexpr (F == 2) {
      cv::v_float32x4 a, b;
      cv::v_load_deinterleave(z + F * i, a, b);
      sum = a + b;
    } else if constexpr (F == 3) {
      cv::v_float32x4 a, b, c;
      cv::v_load_deinterleave(z + F * i, a, b, c);
      sum = a + b + c;
    } else {
      static_assert(F == 4);
      cv::v_float32x4 a, b, c, d;
      cv::v_load_deinterleave(z + F * i, a, b, c, d);
      sum = a + b + c + d;
    }
    cv::v_store(row_sum + i, cv::v_load(row_sum + i) + cv::v_cvt_f64(sum));
    cv::v_store(row_sum + i + 2, cv::v_load(row_sum + i + 2) + cv::v_cvt_f64_high(sum));
  }
#else
  (void)z;
  (void)row_sum;
  (void)cells;
#endif
  return i;
}

// add_block_sums for five points a cell (10 µm scans on 45 µm cells: most scans of the suites),
// eight cells at a time where the processor has AVX2, else none (OpenCV's intrinsics deinterleave
// at most four ways; the scalar loop after it does them all). Each 128-bit half of the five
// vectors v0..v4 holds four cells' 20 heights in order (v_j lane l = height 4 j + l): the k-th
// heights of the four cells lie on a diagonal across four of them, so they are blended out of
// those four (one lane each) and rotated into cell order; then added k = 0 ... 4, as the scalar
// loop adds them.
#if SCARSCOPE_X86_KERNELS
// Lanes 0 ... 3 of a, b, c, d, in that order, in each half.
__attribute__((target("avx2"))) inline __m256 diagonal(__m256 a, __m256 b, __m256 c, __m256 d) {
  return _mm256_blend_ps(_mm256_blend_ps(_mm256_blend_ps(a, b, 0x22), c, 0x44), d, 0x88);
}
__attribute__((target("avx2"))) int add_block_sums5_avx2(const float* z, double* row_sum, int cells) {
  int i = 0;
  for (; i + 8 <= cells; i += 8) {
    const float* p = z + 5 * i;
    __m256 v[5];
    for (int j = 0; j < 5; ++j) v[j] = _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(p + 4 * j)), _mm_loadu_ps(p + 20 + 4 * j), 1);
    // Cell c's k-th height is lane (5 c + k) % 4 of v[(5 c + k) / 4].
    const __m256 a0 = diagonal(v[0], v[1], v[2], v[3]);                                           // v0[0] v1[1] v2[2] v3[3]
    const __m256 a1 = _mm256_permute_ps(diagonal(v[4], v[0], v[1], v[2]), _MM_SHUFFLE(0, 3, 2, 1));  // v0[1] v1[2] v2[3] v4[0]
    const __m256 a2 = _mm256_permute_ps(diagonal(v[3], v[4], v[0], v[1]), _MM_SHUFFLE(1, 0, 3, 2));  // v0[2] v1[3] v3[0] v4[1]
    const __m256 a3 = _mm256_permute_ps(diagonal(v[2], v[3], v[4], v[0]), _MM_SHUFFLE(2, 1, 0, 3));  // v0[3] v2[0] v3[1] v4[2]
    const __m256 a4 = diagonal(v[1], v[2], v[3], v[4]);                                           // v1[0] v2[1] v3[2] v4[3]
    const __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), a2), a3), a4);
    double* out = row_sum + i;
    _mm256_storeu_pd(out, _mm256_add_pd(_mm256_loadu_pd(out), _mm256_cvtps_pd(_mm256_castps256_ps128(sum))));
    _mm256_storeu_pd(out + 4, _mm256_add_pd(_mm256_loadu_pd(out + 4), _mm256_cvtps_pd(_mm256_extractf128_ps(sum, 1))));
  }
  return i;
}
#endif
int add_block_sums5(const float* z, double* row_sum, int cells) {
#if SCARSCOPE_X86_KERNELS
  if (cpu_has_avx2()) return add_block_sums5_avx2(z, row_sum, cells);
#endif
  (void)z;
  (void)row_sum;
  (void)cells;
  return 0;
}
}  // namespace

DetectionGrid make_detection_grid(const HeightMap& relief, const DetectionSettings& settings,
                                  const std::vector<std::size_t>& pit_mouths,
                                  const std::vector<std::size_t>& walled_mouths) {
  DetectionGrid grid;
  // (At most 2^20 points a cell: n + fx stays an int whatever the settings say.)
  grid.fx = std::clamp(round_saturating<int>(settings.grid_cell_um / relief.dx_um()), 1, 1 << 20);
  grid.fy = std::clamp(round_saturating<int>(settings.grid_cell_um / relief.dy_um()), 1, 1 << 20);
  grid.nx = (relief.nx() + grid.fx - 1) / grid.fx;
  grid.ny = (relief.ny() + grid.fy - 1) / grid.fy;
  grid.dx_um = grid.fx * relief.dx_um();
  grid.dy_um = grid.fy * relief.dy_um();
  const std::size_t cells = static_cast<std::size_t>(grid.nx) * static_cast<std::size_t>(grid.ny);
  // Block means (the last row and column of blocks may be partial): cv::resize with INTER_AREA
  // at an integer factor, written out so that partial blocks are averaged over their own points.
  // One point per cell (scans at grid_cell_um or coarser): the means are the heights themselves,
  // read in place.
  const bool own_grid = grid.fx == 1 && grid.fy == 1;
  DetectionGrid::Cells coarse(own_grid ? 0 : cells);  // every cell written below
  if (!own_grid) {
    // (Zero before each row of blocks: the means below leave it so.)
    std::vector<double> row_sum(static_cast<std::size_t>(grid.nx), 0.0);
    for (int j = 0; j < grid.ny; ++j) {
      const int row_end = std::min(relief.ny(), (j + 1) * grid.fy);
      for (int row = j * grid.fy; row < row_end; ++row) {
        const float* z = relief.heights() + relief.index(row, 0);
        int i = 0;  // the cells done
        switch (grid.fx) {
          case 2: i = add_block_sums<2>(z, row_sum.data(), relief.nx() / 2); break;
          case 3: i = add_block_sums<3>(z, row_sum.data(), relief.nx() / 3); break;
          case 4: i = add_block_sums<4>(z, row_sum.data(), relief.nx() / 4); break;
          case 5: i = add_block_sums5(z, row_sum.data(), relief.nx() / 5); break;
          default: break;
        }
        for (; i < grid.nx; ++i) {
          const int end = std::min(relief.nx(), (i + 1) * grid.fx);
          float sum = 0.0f;
          for (int col = i * grid.fx; col < end; ++col) sum += z[col];
          row_sum[static_cast<std::size_t>(i)] += sum;
        }
      }
      const int rows = row_end - j * grid.fy;
      float* means = coarse.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(grid.nx);
      // (The whole cells first, by one divisor: a loop the compiler vectorises.)
      const int whole = relief.nx() / grid.fx;
      const double points = static_cast<double>(rows * grid.fx);
      for (int i = 0; i < whole; ++i) {
        means[i] = static_cast<float>(row_sum[static_cast<std::size_t>(i)] / points);
        row_sum[static_cast<std::size_t>(i)] = 0.0;
      }
      for (int i = whole; i < grid.nx; ++i) {
        const int cols = std::min(relief.nx(), (i + 1) * grid.fx) - i * grid.fx;
        means[i] = static_cast<float>(row_sum[static_cast<std::size_t>(i)] / (rows * cols));
        row_sum[static_cast<std::size_t>(i)] = 0.0;
      }
    }
  }
  // Light smoothing; the block mean has already averaged over the cell.
  const double sx = settings.smoothing_sigma_um / grid.dx_um;
  const double sy = settings.smoothing_sigma_um / grid.dy_um;
  float* means = own_grid ? const_cast<float*>(relief.heights()) : coarse.data();  // only read
  if (sx < 0.3 && sy < 0.3) {
    if (own_grid) coarse.assign(means, means + cells);
    grid.smoothed = std::move(coarse);
  } else {
    grid.smoothed.resize(cells);
    const cv::Mat in(grid.ny, grid.nx, CV_32F, means);
    cv::Mat out(grid.ny, grid.nx, CV_32F, grid.smoothed.data());
    cv::GaussianBlur(in, out, cv::Size(0, 0), std::max(sx, 0.3), std::max(sy, 0.3), cv::BORDER_REFLECT);
  }
  grid.closed.resize(cells);
  grid.opened.resize(cells);
  grid.morphology_step_um = close_and_open(grid.smoothed.data(), grid.nx, grid.ny, grid.dx_um, grid.dy_um,
                                           settings.narrow_feature_width_um, grid.closed.data(), grid.opened.data());
  if (!pit_mouths.empty()) {
    grid.pit_mouths.assign(cells, 0);
    const auto nx = static_cast<std::size_t>(relief.nx());
    // Each point's cell gets `value`; the walled ones (a subset) last, so they win.
    const auto mark = [&](const std::vector<std::size_t>& points, std::uint8_t value) {
      for (const std::size_t i : points) {
        const auto row = static_cast<std::size_t>(i / nx / static_cast<std::size_t>(grid.fy));
        const auto col = static_cast<std::size_t>(i % nx / static_cast<std::size_t>(grid.fx));
        grid.pit_mouths[row * static_cast<std::size_t>(grid.nx) + col] = value;
      }
    };
    mark(pit_mouths, 1);
    mark(walled_mouths, 2);
  }
  return grid;
}

namespace {
// The least and greatest of n > 0 heights, eight at a time (cv::minMaxIdx tracks places it is not
// asked for: 43 M instructions on six tuning scans, against 5 M for this); false, with low and high
// unset, if a height is NaN (min and max of NaN are the caller's to decide).
bool finite_range(const float* z, std::size_t n, double& low, double& high) {
  float lo = z[0], hi = z[0];
  bool nan = false;
  std::size_t i = 0;
#if CV_SIMD128
  if (n >= 8) {
    cv::v_float32x4 lo0 = cv::v_load(z), hi0 = lo0, lo1 = cv::v_load(z + 4), hi1 = lo1;
    cv::v_float32x4 odd = (lo0 != lo0) | (lo1 != lo1);  // a lane becomes all ones at a NaN
    for (i = 8; i + 8 <= n; i += 8) {
      const cv::v_float32x4 a = cv::v_load(z + i), b = cv::v_load(z + i + 4);
      lo0 = cv::v_min(lo0, a);
      hi0 = cv::v_max(hi0, a);
      lo1 = cv::v_min(lo1, b);
      hi1 = cv::v_max(hi1, b);
      odd = odd | (a != a) | (b != b);
    }
    nan = cv::v_check_any(cv::v_reinterpret_as_s32(odd));
    lo = cv::v_reduce_min(cv::v_min(lo0, lo1));
    hi = cv::v_reduce_max(cv::v_max(hi0, hi1));
  }
#endif
  for (; i < n; ++i) {
    nan |= std::isnan(z[i]);
    lo = std::min(lo, z[i]);
    hi = std::max(hi, z[i]);
  }
  if (nan || std::isnan(lo) || std::isnan(hi)) return false;
  low = lo;
  high = hi;
  return true;
}

// The ellipse that removes features narrower than width_um (pores, furrows) on a grid of this
// spacing; empty when it is a single point (there is nothing to remove).
cv::Mat narrow_feature_element(double width_um, double dx_um, double dy_um) {
  // (At most 32767 points across: a wider "narrow feature" is a settings mistake, not a kernel to allocate.)
  const int kx = std::clamp(round_saturating<int>(width_um / dx_um), 1, 32767) | 1;
  const int ky = std::clamp(round_saturating<int>(width_um / dy_um), 1, 32767) | 1;
  if (kx <= 1 && ky <= 1) return cv::Mat();
  return cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(kx, ky));
}
}  // namespace

double close_and_open(const float* relief, int nx, int ny, double dx_um, double dy_um, double width_um, float* closed,
                      float* opened) {
  const cv::Mat in(ny, nx, CV_32F, const_cast<float*>(relief));
  cv::Mat closed_out(ny, nx, CV_32F, closed);
  cv::Mat opened_out(ny, nx, CV_32F, opened);
  const cv::Mat element = narrow_feature_element(width_um, dx_um, dy_um);
  if (element.empty()) {
    in.copyTo(closed_out);
    in.copyTo(opened_out);
    return 0.0;
  }
  // The step: 1/32 µm, doubled until the range fits 16 bits with room to spare (65000 steps).
  double low = 0.0, high = 0.0;
  if (!finite_range(relief, static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny), low, high)) cv::minMaxIdx(in, &low, &high);
  double step = kMorphologyStepUm;
  while ((high - low) / step > 65000.0 && step <= kMaxMorphologyStepUm) step *= 2.0;
  // The ellipse's rows, as half-widths of centred segments (getStructuringElement's ellipse always is).
  const std::vector<int> half = centred_segments(element);
  if (!(step <= kMaxMorphologyStepUm) || half.empty()) {  // too wide a range (or not finite), or no such rows: in float
    cv::morphologyEx(in, closed_out, cv::MORPH_CLOSE, element, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
    cv::morphologyEx(in, opened_out, cv::MORPH_OPEN, element, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
    return 0.0;
  }
  // Integers (height - centre) / step, the centre a whole number of steps. Rounding is monotone,
  // and closing and opening take only minima and maxima, so they commute with it exactly: each
  // result is the float result rounded to the step.
  const double centre = step * std::round(0.5 * (low + high) / step);
  close_and_open_rows(relief, closed, opened, nx, ny, half, step, centre);
  return step;
}

std::vector<float> without_narrow_features(const float* relief, int nx, int ny, double dx_um, double dy_um,
                                           double width_um, bool elevations) {
  std::vector<float> out(static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny));
  const cv::Mat in(ny, nx, CV_32F, const_cast<float*>(relief));
  cv::Mat result(ny, nx, CV_32F, out.data());
  const cv::Mat element = narrow_feature_element(width_um, dx_um, dy_um);
  if (element.empty()) {
    in.copyTo(result);
    return out;
  }
  cv::morphologyEx(in, result, elevations ? cv::MORPH_OPEN : cv::MORPH_CLOSE, element, cv::Point(-1, -1), 1,
                   cv::BORDER_REPLICATE);
  return out;
}

Segmentation segment_relief(const float* for_depressions, const float* for_elevations, int nx, int ny,
                            const DetectionSettings& settings, const std::uint8_t* pit_mouths) {
  const std::size_t count = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  const std::size_t stride = static_cast<std::size_t>(nx) + 2;
  Segmentation segmentation;
  // The flooding's label image, with a border (see flood); it becomes the labels in place.
  std::vector<std::int32_t>& padded = segmentation.labels;
  padded.assign(stride * (static_cast<std::size_t>(ny) + 2) + 1, 0);  // (+ 1: flood reads four labels at a time)
  const float rim = static_cast<float>(settings.rim_depth_um);

  // Depressions (depth = minus the closed relief), then elevations in the same label image.
  Basins depressions;
  flood([&](auto&& visit) { for_each_above_rim(for_depressions, 1.0f, nx, ny, rim, visit); }, 1.0f, nx, rim, settings,
        depressions, padded.data(), pit_mouths);
  // Elevations only in the patches that reach the seed height: the other points above the rim
  // (bumps of the skin's texture left by the opening) are 95 % of them on the tuning scans.
  const std::vector<std::uint64_t> raised =
      seeded_patches(for_elevations, -1.0f, nx, ny, rim, settings.seed_height_um, padded.data());
  Basins elevations;
  flood(
      [&](auto&& visit) {
        for (const std::uint64_t key : raised)
          visit(static_cast<std::int32_t>(key >> 32), for_elevations[key & 0xffffffffu]);  // (depth: 1 x height)
      },
      -1.0f, nx, rim, settings, elevations, padded.data());
  const auto depression_basins = static_cast<std::int32_t>(depressions.parent.size());
  const auto elevation_basins = static_cast<std::int32_t>(elevations.parent.size());

  // The candidate of every flooding label (-elevation basins - 1 ... depression basins + 1, 0 = none),
  // looked up once per basin instead of once per point. Each basin root that reaches the seed depth
  // (height) becomes a candidate, depressions first; every other basin takes its root's.
  std::vector<std::int32_t> label_table(static_cast<std::size_t>(depression_basins) + static_cast<std::size_t>(elevation_basins) + 1, 0);
  std::int32_t* candidate_of = label_table.data() + elevation_basins;  // indexed by the flooding label
  const auto add_candidates = [&](Basins& basins, std::int32_t polarity, double seed) {
    const auto count = static_cast<std::int32_t>(basins.parent.size());
    for (std::int32_t b = 0; b < count; ++b) {
      if (basins.find(b) != b || basins.peak[static_cast<std::size_t>(b)] < seed) continue;
      CandidateRegion region;
      region.elevation = polarity < 0;
      region.peak = basins.peak[static_cast<std::size_t>(b)];
      region.peak_index = basins.peak_index[static_cast<std::size_t>(b)];
      segmentation.candidates.push_back(region);
      candidate_of[polarity * (b + 1)] = static_cast<std::int32_t>(segmentation.candidates.size());
    }
    for (std::int32_t b = 0; b < count; ++b) candidate_of[polarity * (b + 1)] = candidate_of[polarity * (basins.find(b) + 1)];
  };
  add_candidates(depressions, 1, settings.seed_depth_um);
  add_candidates(elevations, -1, settings.seed_height_um);
  for (auto& region : segmentation.candidates) {
    region.min_row = ny;
    region.min_col = nx;
    region.max_row = -1;
    region.max_col = -1;
  }
  // Labels written in place, row by row without the border: each point's new place lies before
  // its old one, so nothing is overwritten before it is read.
  std::int32_t* labels = padded.data();
  for (int row = 0; row < ny; ++row) {
    const std::int32_t* from = padded.data() + (static_cast<std::size_t>(row) + 1) * stride + 1;
    std::int32_t* to = labels + static_cast<std::size_t>(row) * static_cast<std::size_t>(nx);
    // The run of points from `col` on that share its flooding label (one candidate or none) in
    // one go: its bounds are the run's ends. Returns where the run ends. (A point's new place lies
    // nx + 2 row + 3 > nx places before its old one: writing a run overwrites no label of the row.)
    const auto relabel_run = [&](int col) {
      const std::int32_t flooding = from[col];
      int end = col + 1;
      while (end < nx && from[end] == flooding) ++end;
      const std::int32_t label = candidate_of[flooding];
      std::fill(to + col, to + end, label);
      if (label == 0) return end;
      CandidateRegion& region = segmentation.candidates[static_cast<std::size_t>(label - 1)];
      region.min_row = std::min(region.min_row, row);
      region.max_row = std::max(region.max_row, row);
      region.min_col = std::min(region.min_col, col);
      region.max_col = std::max(region.max_col, end - 1);
      region.points += end - col;
      return end;
    };
    int col = 0;
    while (col < nx) {
#if CV_SIMD128
      // Plain skin (no flooding label, so no candidate: candidate_of[0] is 0) four points at a time.
      if (col + 4 <= nx) {
        const cv::v_int32x4 four = cv::v_load(from + col);
        if (!cv::v_check_any(four != cv::v_setzero_s32())) {
          cv::v_store(to + col, four);
          col += 4;
          continue;
        }
      }
#endif
      if (from[col] == 0) {
        to[col++] = 0;
        continue;
      }
      col = relabel_run(col);
    }
  }
  padded.resize(count);
  return segmentation;
}

namespace {

// The floors of a depression, in its bounding box (w x h cells, row-major): which cells are flat
// floor, split into the floors of separate scars. Returns the floors' cells (box indices). One
// FloorFinder serves every depression of a map: its scratch images (room for the box with a
// border of one cell all round) grow with the largest box and are left clean by each floor.
class FloorFinder {
 public:
  FloorFinder(double dx_um, double dy_um, const DetectionSettings& settings)
      : cell_um_(std::sqrt(dx_um * dy_um)), cell_mm2_(dx_um * dy_um * 1e-6), settings_(settings) {}

  // `flat`: 255 where a cell is flat floor; `depth`: the depth of every cell of the box.
  std::vector<std::vector<std::int32_t>> floors(const cv::Mat& flat, const std::vector<float>& depth) {
    w_ = flat.cols;
    h_ = flat.rows;
    const std::size_t room = static_cast<std::size_t>(w_ + 2) * static_cast<std::size_t>(h_ + 2);
    if (mask_.size() < room) {  // (what is there already is clean)
      mask_.resize(room, 0);
      distance_.resize(room);
      lobe_of_.resize(room + 1, -1);  // (+ 1: lobes reads four labels at a time)
    }
    std::vector<std::vector<std::int32_t>> found;
    const int count = cv::connectedComponents(flat, components_, 8, CV_32S);
    if (count <= 1) return found;
    // Each component's cells, in row-major order: counted first, then gathered for the components
    // wide enough to hold a floor.
    std::vector<std::int32_t> sizes(static_cast<std::size_t>(count), 0);
    for (int row = 0; row < h_; ++row) {
      const std::int32_t* c = components_.ptr<std::int32_t>(row);
      for (int col = 0; col < w_; ++col) ++sizes[static_cast<std::size_t>(c[col])];
    }
    std::vector<std::vector<std::int32_t>> cells(static_cast<std::size_t>(count));
    std::vector<std::uint8_t> wide(static_cast<std::size_t>(count), 0);
    for (int k = 1; k < count; ++k) {
      const auto size = static_cast<std::size_t>(sizes[static_cast<std::size_t>(k)]);
      wide[static_cast<std::size_t>(k)] = !(static_cast<double>(size) * cell_mm2_ < min_area_mm2());
      if (wide[static_cast<std::size_t>(k)]) cells[static_cast<std::size_t>(k)].reserve(size);
    }
    for (int row = 0; row < h_; ++row) {
      const std::int32_t* c = components_.ptr<std::int32_t>(row);
      for (int col = 0; col < w_; ++col)
        if (wide[static_cast<std::size_t>(c[col])]) cells[static_cast<std::size_t>(c[col])].push_back(row * w_ + col);
    }
    for (int k = 1; k < count; ++k) {
      if (!wide[static_cast<std::size_t>(k)]) continue;
      const auto& component = cells[static_cast<std::size_t>(k)];
      // (Each lobe on its own: two floors at different levels joined by a gentle step are not one
      // flat floor, but each of them is.)
      for (auto& lobe : lobes(component))
        if (level(lobe, depth)) found.push_back(std::move(lobe));
    }
    return found;
  }

 private:
  // Flat at one level: the depths of its middle 80 % span at most split_floor_max_spread of its depth.
  bool level(const std::vector<std::int32_t>& floor, const std::vector<float>& depth) const {
    std::vector<float> depths;
    depths.reserve(floor.size());
    for (const std::int32_t i : floor) depths.push_back(depth[static_cast<std::size_t>(i)]);
    const auto place = [&](double q) {
      return depths.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(depths.size() - 1));
    };
    // The median first; the 10th percentile is then the same order statistic of the part below it,
    // the 90th of the part above it (no NaN: the same values as three selections over all of it).
    const auto low_at = place(0.1), middle_at = place(0.5), high_at = place(0.9);
    std::nth_element(depths.begin(), middle_at, depths.end());
    std::nth_element(depths.begin(), low_at, middle_at);
    if (high_at > middle_at) std::nth_element(middle_at + 1, high_at, depths.end());
    const float low = *low_at, middle = *middle_at, high = *high_at;
    return high - low <= settings_.split_floor_max_spread * middle;
  }

  double min_area_mm2() const {
    const double r = 0.5 * settings_.split_floor_min_diameter_mm;
    return std::numbers::pi * r * r;
  }

  // The lobes of one floor: flooded down its distance to the floor's edge from the middles of
  // its round parts; two parts stay apart where the neck between them is narrower than
  // split_floor_max_neck of the narrower part (and each is at least split_floor_min_diameter_mm
  // across), so a floor with a waist is two floors and an oval one is one.
  std::vector<std::vector<std::int32_t>> lobes(const std::vector<std::int32_t>& floor) {
    // The floor's own bounding box, with a border of non-floor all round: the distance to the
    // floor's edge is the same as in the depression's box (the nearest non-floor cell of a floor
    // cell is never farther than the border), at a fraction of the cost.
    int min_row = h_, max_row = -1, min_col = w_, max_col = -1;
    rows_.clear();
    for (const std::int32_t i : floor) {
      const int row = i / w_, col = i - row * w_;
      rows_.push_back(row);
      min_row = std::min(min_row, row);
      max_row = std::max(max_row, row);
      min_col = std::min(min_col, col);
      max_col = std::max(max_col, col);
    }
    const int bw = max_col - min_col + 3, bh = max_row - min_row + 3;  // (bw x bh fits in the scratch images)
    // The floor's cells by their place in the bordered box, in the same (row-major) order.
    const std::int32_t stride = bw;
    padded_.clear();
    for (std::size_t n = 0; n < floor.size(); ++n) {
      const int row = rows_[n], col = floor[n] - row * w_;
      padded_.push_back((row - min_row + 1) * stride + (col - min_col + 1));
    }
    const cv::Mat mask(bh, bw, CV_8U, mask_.data());  // all 0 between floors
    for (const std::int32_t p : padded_) mask.data[p] = 255;
    cv::Mat distance_image(bh, bw, CV_32F, distance_.data());
    cv::distanceTransform(mask, distance_image, cv::DIST_L2, cv::DIST_MASK_PRECISE);
    CV_Assert(distance_image.data == reinterpret_cast<std::uint8_t*>(distance_.data()));
    for (const std::int32_t p : padded_) mask.data[p] = 0;  // clean for the next floor
    const float* distance = distance_.data();
    const float min_radius = static_cast<float>(0.5 * settings_.split_floor_min_diameter_mm * 1000.0 / cell_um_);
    // The eight neighbours, row by row from the one above left (the order decides ties); the
    // border is never part of a lobe.
    const std::int32_t offsets[8] = {-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1};
    // The flooding below starts a lobe at each cell none of whose neighbours comes before it
    // (farther from the edge, or as far and earlier in place), and keeps two lobes apart only if
    // both are at least min_radius wide. With one such start that far from the edge or none (a
    // floor of one round part, most of them), every lobe merges into the widest: the floor is one
    // lobe, or none if narrower than min_radius, found here without sorting and flooding.
    int wide_starts = 0;
    for (const std::int32_t p : padded_) {
      const float d = distance[p];
      if (!(d >= min_radius)) continue;
      bool start = true;
      for (int n = 0; n < 4; ++n) start &= distance[p + offsets[n]] < d;   // the neighbours before it in place
      for (int n = 4; n < 8; ++n) start &= distance[p + offsets[n]] <= d;  // and after it
      wide_starts += start;
      if (wide_starts > 1) break;
    }
    if (wide_starts == 0) return {};
    if (wide_starts == 1) return {floor};
    // Cells by distance, farthest first, then by index: one 64-bit key each (the distance's bits,
    // which order as the distances do, being >= 0, inverted above the place), sorted by the upper
    // half alone, stably: the cells come in order of place, so ties stay in that order.
    order_.clear();
    for (const std::int32_t p : padded_) {
      const auto bits = std::bit_cast<std::uint32_t>(distance[p]);
      order_.push_back((static_cast<std::uint64_t>(~bits) << 32) | static_cast<std::uint32_t>(p));
    }
    sort_by_upper_half(order_, spare_);
    std::vector<std::int32_t> parent;
    std::vector<float> top;
    const auto find = [&](std::int32_t b) {
      while (parent[static_cast<std::size_t>(b)] != b) b = parent[static_cast<std::size_t>(b)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(b)])];
      return b;
    };
    const float neck = static_cast<float>(settings_.split_floor_max_neck);
    std::int32_t* lobe_of = lobe_of_.data();
#if CV_SIMD128
    const cv::v_int32x4 keep_three(-1, -1, -1, 0), keep_sides(-1, 0, -1, 0);
#endif
    for (const std::uint64_t key : order_) {
      const auto level = std::bit_cast<float>(~static_cast<std::uint32_t>(key >> 32));
      const auto p = static_cast<std::int32_t>(key & 0xffffffffu);
      // Mostly the neighbours reached hold one lobe (inside a growing lobe): found without a
      // branch per neighbour.
#if CV_SIMD128
      // Their three rows as four lanes each, from the column to the left: the fourth lane of each
      // and the cell itself read as -1 (not reached; hence lobe_of_'s one spare label at the end).
      const auto row_of_lobes = [&](std::int32_t from, const cv::v_int32x4& keep) {
        return cv::v_load(lobe_of + from) | ~keep;
      };
      const cv::v_int32x4 up = row_of_lobes(p - stride - 1, keep_three);
      const cv::v_int32x4 beside = row_of_lobes(p - 1, keep_sides);
      const cv::v_int32x4 down = row_of_lobes(p + stride - 1, keep_three);
      const std::int32_t high = cv::v_reduce_max(cv::v_max(cv::v_max(up, beside), down));
      const cv::v_int32x4 none = cv::v_setzero_s32(), same = cv::v_setall_s32(high);
      const bool one_lobe = high >= 0 && cv::v_check_all(((up < none) | (up == same)) & ((beside < none) | (beside == same)) &
                                                         ((down < none) | (down == same)));
#else
      std::int32_t high = -1;
      for (int n = 0; n < 8; ++n) high = std::max(high, lobe_of[p + offsets[n]]);
      bool one_lobe = high >= 0;
      for (int n = 0; n < 8; ++n) one_lobe &= lobe_of[p + offsets[n]] < 0 || lobe_of[p + offsets[n]] == high;
#endif
      if (one_lobe) {
        lobe_of[p] = find(high);
        continue;
      }
      std::int32_t around[8];
      for (int n = 0; n < 8; ++n) around[n] = lobe_of[p + offsets[n]];
      std::int32_t roots[8];
      int found = 0;
      for (const std::int32_t b : around) {
        if (b < 0) continue;
        const std::int32_t root = find(b);
        if (std::find(roots, roots + found, root) == roots + found) roots[found++] = root;
      }
      if (found == 0) {
        lobe_of[p] = static_cast<std::int32_t>(parent.size());
        parent.push_back(static_cast<std::int32_t>(parent.size()));
        top.push_back(level);
        continue;
      }
      std::int32_t main = roots[0];
      for (int n = 1; n < found; ++n)
        if (top[static_cast<std::size_t>(roots[n])] > top[static_cast<std::size_t>(main)]) main = roots[n];
      for (int n = 0; n < found; ++n) {
        const std::int32_t other = roots[n];
        const float other_top = top[static_cast<std::size_t>(other)];
        const bool separate = other_top >= min_radius && level < neck * other_top;
        if (other != main && !separate) parent[static_cast<std::size_t>(other)] = main;
      }
      lobe_of[p] = main;
    }
    // The lobes wide enough to be a floor; the cells of narrower ones they merged into are theirs.
    std::vector<std::int32_t> index(parent.size(), -1);
    std::vector<std::vector<std::int32_t>> result;
    for (std::size_t n = 0; n < floor.size(); ++n) {
      const std::int32_t p = padded_[n];
      const std::int32_t root = find(lobe_of[p]);
      lobe_of[p] = -1;  // clean for the next floor
      if (top[static_cast<std::size_t>(root)] < min_radius) continue;
      if (index[static_cast<std::size_t>(root)] < 0) {
        index[static_cast<std::size_t>(root)] = static_cast<std::int32_t>(result.size());
        result.emplace_back();
      }
      result[static_cast<std::size_t>(index[static_cast<std::size_t>(root)])].push_back(floor[n]);
    }
    return result;
  }

  int w_ = 0, h_ = 0;  // the depression's box
  double cell_um_, cell_mm2_;
  const DetectionSettings& settings_;
  cv::Mat components_;  // the flat cells' connected components in the box
  // Room for (w + 2) x (h + 2) cells each, used as the floor's bordered box (at most that size):
  std::vector<std::uint8_t> mask_;     // 255 on the floor being split, else 0
  std::vector<float> distance_;        // the distance of its cells to its edge
  std::vector<std::int32_t> lobe_of_;  // the lobe of each cell reached, else -1
  std::vector<std::int32_t> padded_;   // the floor's cells' places in the bordered box
  std::vector<int> rows_;              // and their rows in the depression's box
  std::vector<std::uint64_t> order_, spare_;
};

}  // namespace

namespace {
// std::hypot(gx, gy) <= limit, with the (slow) hypot only where gx² + gy² lies within a millionth
// of limit²: elsewhere their rounding cannot tell the two tests apart.
bool slope_within(double gx, double gy, double limit) {
  const double squared = gx * gx + gy * gy, bound = limit * limit;
  if (squared < bound * (1.0 - 1e-6)) return true;
  if (squared > bound * (1.0 + 1e-6)) return false;
  return std::hypot(gx, gy) <= limit;
}
}  // namespace

int split_flat_floors(Segmentation& segmentation, const float* closed, int nx, int ny, double dx_um, double dy_um,
                      const DetectionSettings& settings, const std::uint8_t* pit_mouths) {
  const auto original = static_cast<std::int32_t>(segmentation.candidates.size());
  if (original == 0 || nx < 3 || ny < 3) return 0;
  std::vector<std::int32_t>& labels = segmentation.labels;
  const double cell_mm2 = dx_um * dy_um * 1e-6;
  const double floor_radius_mm = 0.5 * settings.split_floor_min_diameter_mm;
  const double min_floor_mm2 = std::numbers::pi * floor_radius_mm * floor_radius_mm;
  const double mouth_radius_mm = 0.5 * settings.unseen_pit_min_diameter_mm;
  const double min_mouth_mm2 = std::numbers::pi * mouth_radius_mm * mouth_radius_mm;
  const float seed = static_cast<float>(settings.seed_depth_um);
  const float max_slope = static_cast<float>(settings.split_floor_max_slope);
  int added = 0;
  // Scratch for every depression's box (each written whole before it is read).
  std::vector<float> depth;
  std::vector<std::uint8_t> inside, flat_cells, mouth_cells;
  FloorFinder finder(dx_um, dy_um, settings);
  for (std::int32_t k = 0; k < original; ++k) {
    const CandidateRegion candidate = segmentation.candidates[static_cast<std::size_t>(k)];
    // Room for two floors at least.
    if (candidate.elevation || candidate.peak < seed || static_cast<double>(candidate.points) * cell_mm2 < 2.0 * min_floor_mm2) continue;
    const std::int32_t label = k + 1;
    const int x0 = candidate.min_col, y0 = candidate.min_row;
    const int w = candidate.max_col - x0 + 1, h = candidate.max_row - y0 + 1;
    const auto box_size = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
    depth.resize(box_size);
    inside.resize(box_size);
    flat_cells.resize(box_size);
    bool has_mouth = false;
    if (pit_mouths) mouth_cells.assign(box_size, 0);
    for (int row = 0; row < h; ++row) {
      const int r = y0 + row;
      const std::size_t at = static_cast<std::size_t>(r) * static_cast<std::size_t>(nx);
      const std::int32_t* label_row = labels.data() + at + static_cast<std::size_t>(x0);
      // (The box lies on the map; only its neighbours beyond the map's edge are clamped.)
      const float* z = closed + at;
      const float* up = closed + static_cast<std::size_t>(std::max(r - 1, 0)) * static_cast<std::size_t>(nx);
      const float* down = closed + static_cast<std::size_t>(std::min(r + 1, ny - 1)) * static_cast<std::size_t>(nx);
      std::uint8_t* flat_row = flat_cells.data() + static_cast<std::size_t>(row) * static_cast<std::size_t>(w);
      for (int col = 0; col < w; ++col) {
        const std::int32_t i = row * w + col;
        const int c = x0 + col;
        depth[static_cast<std::size_t>(i)] = -z[c];
        inside[static_cast<std::size_t>(i)] = label_row[col] == label;
        flat_row[col] = 0;
        if (!inside[static_cast<std::size_t>(i)]) continue;
        // A pit's mouth was not seen: it is no flat floor (walled ones count as floors below).
        if (pit_mouths && pit_mouths[at + static_cast<std::size_t>(c)] != 0) {
          if (pit_mouths[at + static_cast<std::size_t>(c)] == 2) {
            mouth_cells[static_cast<std::size_t>(i)] = 255;
            has_mouth = true;
          }
          continue;
        }
        if (depth[static_cast<std::size_t>(i)] < seed) continue;
        const double gx = (-z[std::min(c + 1, nx - 1)] - -z[std::max(c - 1, 0)]) / (2.0 * dx_um);
        const double gy = (-down[c] - -up[c]) / (2.0 * dy_um);
        if (slope_within(gx, gy, max_slope)) flat_row[col] = 255;
      }
    }
    const cv::Mat flat(h, w, CV_8U, flat_cells.data());
    std::vector<std::vector<std::int32_t>> floors = finder.floors(flat, depth);
    // The mouth of a pit whose floor was not seen (fill_missing_relief), ringed by its seen wall, in
    // a depression that also holds a seen flat floor, is a scar of its own: the pit drops below
    // where the scanner could follow it, a boxcar's floor is flat and was seen, so one cannot be
    // the other's floor; where the pit is cut into the floor there is no saddle for segment_relief
    // to split them at. Each such mouth (8-connected) counts as a floor here if it is as wide as a
    // mouth must be (a sliver of one is the edge of a pit that segment_relief already gave to a
    // depression of its own). A mouth no wall rings (a dropout on a boxcar's wall) is neither.
    if (has_mouth && !floors.empty()) {
      const cv::Mat mouths(h, w, CV_8U, mouth_cells.data());
      cv::Mat components(h, w, CV_32S);
      const int count = cv::connectedComponents(mouths, components, 8, CV_32S);
      std::vector<std::vector<std::int32_t>> found(static_cast<std::size_t>(count));
      const auto* component = components.ptr<std::int32_t>();
      for (std::int32_t i = 0; i < static_cast<std::int32_t>(box_size); ++i)
        if (component[i] > 0) found[static_cast<std::size_t>(component[i])].push_back(i);
      for (auto& mouth : found)
        if (!(static_cast<double>(mouth.size()) * cell_mm2 < min_mouth_mm2)) floors.push_back(std::move(mouth));
    }
    if (floors.size() < 2) continue;
    // Each cell to the floor it drains to: flooded from the floors, deepest cells first, each
    // taking the floor of its deepest neighbour already reached.
    std::vector<std::int32_t> floor_of(box_size, -1);
    using Queued = std::pair<float, std::int32_t>;
    std::priority_queue<Queued> queue;
    // Cell i's neighbours (and itself) in the box, row by row: f(j) for each.
    const auto for_around = [&](std::int32_t i, auto&& f) {
      const int row = i / w, col = i % w;
      const int c0 = std::max(col - 1, 0), c1 = std::min(col + 1, w - 1);
      for (int r = std::max(row - 1, 0); r <= std::min(row + 1, h - 1); ++r)
        for (std::int32_t j = r * w + c0; j <= r * w + c1; ++j) f(j);
    };
    const auto push_around = [&](std::int32_t i) {
      for_around(i, [&](std::int32_t j) {
        if (inside[static_cast<std::size_t>(j)] && floor_of[static_cast<std::size_t>(j)] < 0) queue.emplace(depth[static_cast<std::size_t>(j)], j);
      });
    };
    for (std::size_t f = 0; f < floors.size(); ++f)
      for (const std::int32_t i : floors[f]) floor_of[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(f);
    for (const auto& cells : floors)
      for (const std::int32_t i : cells) push_around(i);
    while (!queue.empty()) {
      const std::int32_t i = queue.top().second;
      queue.pop();
      if (floor_of[static_cast<std::size_t>(i)] >= 0) continue;
      float deepest = -std::numeric_limits<float>::infinity();
      for_around(i, [&](std::int32_t j) {
        if (floor_of[static_cast<std::size_t>(j)] >= 0 && depth[static_cast<std::size_t>(j)] > deepest) {
          deepest = depth[static_cast<std::size_t>(j)];
          floor_of[static_cast<std::size_t>(i)] = floor_of[static_cast<std::size_t>(j)];
        }
      });
      push_around(i);
    }
    // The floor holding the depression's deepest point keeps its label; the others are new candidates.
    const int peak_row = candidate.peak_index / nx - y0, peak_col = candidate.peak_index % nx - x0;
    const std::int32_t keeper = std::max(0, floor_of[static_cast<std::size_t>(peak_row * w + peak_col)]);
    std::vector<std::int32_t> label_of(floors.size());
    for (std::size_t f = 0; f < floors.size(); ++f) {
      if (static_cast<std::int32_t>(f) == keeper) {
        label_of[f] = label;
        continue;
      }
      segmentation.candidates.push_back(candidate);
      label_of[f] = static_cast<std::int32_t>(segmentation.candidates.size());
      ++added;
    }
    for (std::size_t f = 0; f < floors.size(); ++f) {
      CandidateRegion& part = segmentation.candidates[static_cast<std::size_t>(label_of[f] - 1)];
      part.peak = -std::numeric_limits<float>::infinity();
      part.points = 0;
      part.min_row = ny;
      part.min_col = nx;
      part.max_row = part.max_col = -1;
    }
    for (std::int32_t i = 0; i < static_cast<std::int32_t>(box_size); ++i) {
      if (!inside[static_cast<std::size_t>(i)]) continue;
      // (A cell no floor reached, cut off from them all, stays with the floor of the deepest point.)
      const std::int32_t f = floor_of[static_cast<std::size_t>(i)] >= 0 ? floor_of[static_cast<std::size_t>(i)] : keeper;
      const std::int32_t l = label_of[static_cast<std::size_t>(f)];
      const int row = y0 + i / w, col = x0 + i % w;
      labels[static_cast<std::size_t>(row) * static_cast<std::size_t>(nx) + static_cast<std::size_t>(col)] = l;
      CandidateRegion& part = segmentation.candidates[static_cast<std::size_t>(l - 1)];
      if (depth[static_cast<std::size_t>(i)] > part.peak) {
        part.peak = depth[static_cast<std::size_t>(i)];
        part.peak_index = row * nx + col;
      }
      ++part.points;
      part.min_row = std::min(part.min_row, row);
      part.max_row = std::max(part.max_row, row);
      part.min_col = std::min(part.min_col, col);
      part.max_col = std::max(part.max_col, col);
    }
  }
  return added;
}

Segmentation segment_relief(const DetectionGrid& grid, const DetectionSettings& settings) {
  Segmentation segmentation = segment_relief(grid.closed.data(), grid.opened.data(), grid.nx, grid.ny, settings,
                                             grid.pit_mouths.empty() ? nullptr : grid.pit_mouths.data());
  split_flat_floors(segmentation, grid.closed.data(), grid.nx, grid.ny, grid.dx_um, grid.dy_um, settings,
                    grid.pit_mouths.empty() ? nullptr : grid.pit_mouths.data());
  return segmentation;
}

}  // namespace scarscope
