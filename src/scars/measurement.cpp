#include "scars/measurement.h"

#include "core/x86_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <numbers>
#include <span>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/saturating_cast.h"
#include "scars/outline.h"

namespace scarscope {
namespace {

// Fills that share their unknown points (the values each fill starts from and is held to
// elsewhere): one set-up of the solver serves them all, and each is solved as it would be alone.
using Channels = std::span<std::vector<float>* const>;

// Red-black successive over-relaxation of the 5-point Laplace equation on the unknown points. A
// sweep of one colour reads only the other colour's points, so its points may be updated in any
// order with the same results: interior points (all four neighbours in the grid) go through a row
// loop, or where the processor has AVX2 eight points of the colour at a time, each colour's points
// then kept in an array of their own (relax_split_avx2: the same operations per lane, no FMA, the
// same bits as one point at a time), and the few unknown points on the grid's edge are listed.
// Each channel is swept until its own largest change falls below `tolerance`, at most
// `iterations` times.
constexpr float kOmega = 1.7f;

struct RelaxGrid {
  int w = 0, h = 0;
  float wx = 0.0f, wy = 0.0f, inverse = 0.0f;
  const std::uint8_t* interior = nullptr;  // 0xFF at an unknown interior point, else 0
  const int* first = nullptr;              // per row: first and last column of an interior unknown
  const int* last = nullptr;               // (last < first: none)
};

// One interior point's update, as every kernel does it.
inline float relax_point(float* u, std::size_t i, std::size_t stride, const RelaxGrid& g, float largest) {
  const float target = (g.wx * (u[i - 1] + u[i + 1]) + g.wy * (u[i - stride] + u[i + stride])) * g.inverse;
  const float change = kOmega * (target - u[i]);
  u[i] += change;
  return std::max(largest, std::abs(change));
}

// One colour's interior points, one at a time; returns the largest change (at least `largest`).
float sweep_interior_portable(float* u, const RelaxGrid& g, int colour, float largest) {
  const auto stride = static_cast<std::size_t>(g.w);
  for (int row = 1; row + 1 < g.h; ++row) {
    const std::size_t base = static_cast<std::size_t>(row) * stride;
    for (int col = g.first[row] + ((row + g.first[row] + colour) & 1); col <= g.last[row]; col += 2) {
      const std::size_t i = base + static_cast<std::size_t>(col);
      if (g.interior[i]) largest = relax_point(u, i, stride, g, largest);
    }
  }
  return largest;
}

// Whether the relaxation runs relax_split_avx2.
#if SCARSCOPE_X86_KERNELS
const bool kVectorised = cpu_has_avx2();
#else
const bool kVectorised = false;
#endif

// The unknown points on the grid's edge, by colour ((row + col) & 1), in the grid's order.
void edge_points(const std::vector<std::uint8_t>& unknown, int w, int h, std::vector<std::uint32_t> (&edge)[2]) {
  for (int row = 0; row < h; ++row)
    for (int col = 0; col < w; col += (row == 0 || row + 1 == h || col + 1 == w) ? 1 : std::max(1, w - 1 - col)) {
      const std::size_t i = static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col);
      if (unknown[i]) edge[(row + col) & 1].push_back(static_cast<std::uint32_t>(i));
    }
}

// An edge point's update (some of its neighbours lie outside the grid), `value(row, col)` its
// value; returns `largest` raised to its change.
template <typename Value>
inline float relax_edge(Value&& value, int row, int col, int w, int h, float wx, float wy, float largest) {
  float sum = 0.0f, weight = 0.0f;
  if (col > 0) { sum += wx * value(row, col - 1); weight += wx; }
  if (col + 1 < w) { sum += wx * value(row, col + 1); weight += wx; }
  if (row > 0) { sum += wy * value(row - 1, col); weight += wy; }
  if (row + 1 < h) { sum += wy * value(row + 1, col); weight += wy; }
  if (weight <= 0.0f) return largest;
  float& u = value(row, col);
  const float change = kOmega * (sum / weight - u);
  u += change;
  return std::max(largest, std::abs(change));
}

#if SCARSCOPE_X86_KERNELS
// relax() with AVX2: each colour's points in an array of their own (row r's points of colour q are
// its columns c = 2k + p, p = (q + r) & 1, at k), so that the eight lanes of a step are eight points
// of the colour swept, not four and four masked out. A point's left and right neighbours are then
// the other colour's k + p - 1 and k + p in the same row, its upper and lower ones k in the rows
// around. Each point is updated with relax_point's operations (no FMA) and the largest change is
// the same maximum: the same bits as the portable code.
__attribute__((target("avx2"))) void relax_split_avx2(Channels channels, const std::vector<std::uint8_t>& unknown, int w, int h, float wx,
                                                      float wy, int iterations, float tolerance) {
  // Per row of a colour: (w + 1) / 2 points and 16 of padding (a step reads up to 8 + 1 beyond
  // the last point; lanes past it are masked out and stored back unchanged).
  const std::size_t stride = static_cast<std::size_t>((w + 1) / 2 + 16);
  const std::size_t split_size = stride * static_cast<std::size_t>(h);
  // Row r's points of colour q: k = 0 .. count(q, r) - 1, each set from the channel before it is
  // read; only the padding is set here (0: a masked-out lane's value, stored back unchanged).
  const auto count = [w](int q, int row) { return (w - ((q + row) & 1) + 1) / 2; };
  std::vector<float, detail::DefaultInitAllocator<float>> values[2];
  std::vector<std::uint8_t, detail::DefaultInitAllocator<std::uint8_t>> interior[2];
  std::vector<int> first[2], last[2];  // per row: the first and last k of an unknown interior point
  for (int q = 0; q < 2; ++q) {
    values[q].resize(split_size);
    interior[q].resize(split_size);
    for (int row = 0; row < h; ++row) {
      float* line = values[q].data() + static_cast<std::size_t>(row) * stride;
      std::fill(line + count(q, row), line + stride, 0.0f);
    }
    first[q].assign(static_cast<std::size_t>(h), 0);
    last[q].assign(static_cast<std::size_t>(h), -1);
  }
  for (int row = 1; row + 1 < h; ++row) {
    const std::uint8_t* in = unknown.data() + static_cast<std::size_t>(row) * static_cast<std::size_t>(w);
    for (int q = 0; q < 2; ++q) {
      const int p = (q + row) & 1, n = count(q, row);
      std::uint8_t* marks = interior[q].data() + static_cast<std::size_t>(row) * stride;
      // Interior columns 1 .. w - 2 only.
      for (int k = 0; k < n; ++k) {
        const int col = 2 * k + p;
        marks[k] = (col >= 1) & (col + 1 < w) & (in[col] != 0) ? 0xFF : 0;
      }
      std::fill(marks + n, marks + stride, std::uint8_t{0});
      int a = 0, b = n - 1;
      while (a < n && !marks[a]) ++a;
      while (b >= a && !marks[b]) --b;
      first[q][static_cast<std::size_t>(row)] = a;
      last[q][static_cast<std::size_t>(row)] = b;
    }
  }
  std::vector<std::uint32_t> edge[2];
  edge_points(unknown, w, h, edge);
  const auto split_at = [stride](int row, int col) { return static_cast<std::size_t>(row) * stride + static_cast<std::size_t>(col / 2); };
  const auto value = [&](int row, int col) -> float& { return values[(row + col) & 1][split_at(row, col)]; };
  const float inverse = 1.0f / (2.0f * (wx + wy));
  const __m256 vwx = _mm256_set1_ps(wx), vwy = _mm256_set1_ps(wy), vinverse = _mm256_set1_ps(inverse), omega = _mm256_set1_ps(kOmega);
  const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  const std::size_t grid_stride = static_cast<std::size_t>(w);
  for (std::vector<float>* channel : channels) {
    float* u = channel->data();
    for (int row = 0; row < h; ++row)
      for (int q = 0; q < 2; ++q) {
        const float* from = u + static_cast<std::size_t>(row) * grid_stride + ((q + row) & 1);
        float* to = values[q].data() + static_cast<std::size_t>(row) * stride;
        for (int k = 0, n = count(q, row); k < n; ++k) to[k] = from[2 * k];
      }
    for (int it = 0; it < iterations; ++it) {
      float largest = 0.0f;
      for (int colour = 0; colour < 2; ++colour) {
        float* own = values[colour].data();
        const float* other = values[1 - colour].data();
        const std::uint8_t* marks = interior[colour].data();
        __m256 most = _mm256_setzero_ps();
        for (int row = 1; row + 1 < h; ++row) {
          const std::size_t base = static_cast<std::size_t>(row) * stride;
          const std::size_t p = static_cast<std::size_t>((colour + row) & 1);
          const int end = last[colour][static_cast<std::size_t>(row)];
          for (int k = first[colour][static_cast<std::size_t>(row)]; k <= end; k += 8) {
            const std::size_t i = base + static_cast<std::size_t>(k);
            const __m128i bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(marks + i));
            const __m256 mask = _mm256_castsi256_ps(_mm256_cvtepi8_epi32(bytes));
            const __m256 centre = _mm256_loadu_ps(own + i);
            const __m256 across = _mm256_add_ps(_mm256_loadu_ps(other + i + p - 1), _mm256_loadu_ps(other + i + p));
            const __m256 along = _mm256_add_ps(_mm256_loadu_ps(other + i - stride), _mm256_loadu_ps(other + i + stride));
            const __m256 target = _mm256_mul_ps(_mm256_add_ps(_mm256_mul_ps(vwx, across), _mm256_mul_ps(vwy, along)), vinverse);
            const __m256 change = _mm256_mul_ps(omega, _mm256_sub_ps(target, centre));
            _mm256_storeu_ps(own + i, _mm256_blendv_ps(centre, _mm256_add_ps(centre, change), mask));
            // (max_ps returns its second operand when the first is NaN, as std::max(largest, NaN) does.)
            most = _mm256_max_ps(_mm256_and_ps(_mm256_and_ps(change, mask), magnitude), most);
          }
        }
        alignas(32) float lane[8];
        _mm256_store_ps(lane, most);
        for (const float v : lane) largest = std::max(largest, v);
        for (const std::uint32_t i : edge[colour])
          largest = relax_edge(value, static_cast<int>(i / grid_stride), static_cast<int>(i % grid_stride), w, h, wx, wy, largest);
      }
      if (largest < tolerance) break;
    }
    for (int row = 0; row < h; ++row)
      for (int q = 0; q < 2; ++q) {
        float* to = u + static_cast<std::size_t>(row) * grid_stride + ((q + row) & 1);
        const float* from = values[q].data() + static_cast<std::size_t>(row) * stride;
        for (int k = 0, n = count(q, row); k < n; ++k) to[2 * k] = from[k];
      }
  }
}
#endif

void relax(Channels channels, const std::vector<std::uint8_t>& unknown, int w, int h, float wx, float wy, int iterations,
           float tolerance, bool vectorised) {
#if SCARSCOPE_X86_KERNELS
  if (vectorised) {
    relax_split_avx2(channels, unknown, w, h, wx, wy, iterations, tolerance);
    return;
  }
#else
  (void)vectorised;
#endif
  std::vector<std::uint32_t> edge[2];
  edge_points(unknown, w, h, edge);
  std::vector<std::uint8_t> interior(unknown.size(), 0);
  std::vector<int> first(static_cast<std::size_t>(h), w), last(static_cast<std::size_t>(h), -1);
  for (int row = 1; row + 1 < h; ++row) {
    const std::size_t base = static_cast<std::size_t>(row) * static_cast<std::size_t>(w);
    const std::uint8_t* in = unknown.data() + base;
    std::uint8_t* marks = interior.data() + base;
    for (int col = 1; col + 1 < w; ++col) marks[col] = in[col] != 0 ? 0xFF : 0;
    for (int col = 1; col + 1 < w; ++col)
      if (in[col]) {
        first[static_cast<std::size_t>(row)] = col;
        break;
      }
    for (int col = w - 2; col >= 1; --col)
      if (in[col]) {
        last[static_cast<std::size_t>(row)] = col;
        break;
      }
  }
  RelaxGrid g;
  g.w = w;
  g.h = h;
  g.wx = wx;
  g.wy = wy;
  g.inverse = 1.0f / (2.0f * (wx + wy));
  g.interior = interior.data();
  g.first = first.data();
  g.last = last.data();
  const std::size_t stride = static_cast<std::size_t>(w);
  for (std::vector<float>* channel : channels) {
    float* u = channel->data();
    const auto value = [u, stride](int row, int col) -> float& {
      return u[static_cast<std::size_t>(row) * stride + static_cast<std::size_t>(col)];
    };
    for (int it = 0; it < iterations; ++it) {
      float largest = 0.0f;
      for (int colour = 0; colour < 2; ++colour) {
        largest = sweep_interior_portable(u, g, colour, largest);
        for (const std::uint32_t i : edge[colour])
          largest = relax_edge(value, static_cast<int>(i / stride), static_cast<int>(i % stride), w, h, wx, wy, largest);
      }
      if (largest < tolerance) break;
    }
  }
}

void solve_level(Channels channels, const std::vector<std::uint8_t>& unknown, int w, int h, float wx, float wy,
                 bool vectorised) {
  if (w <= 12 || h <= 12) {
    relax(channels, unknown, w, h, wx, wy, 600, 0.005f, vectorised);
    return;
  }
  // Coarse level: a 2 x 2 block is known if any of its points is (their mean), else unknown.
  const int cw = (w + 1) / 2;
  const int ch = (h + 1) / 2;
  const std::size_t coarse_size = static_cast<std::size_t>(cw) * static_cast<std::size_t>(ch);
  std::vector<std::uint8_t> coarse_unknown(coarse_size, 1);
  std::vector<int> n(coarse_size, 0);
  // Each known point added to its block's sum in every channel, a block at a time: its upper
  // pair, then its lower, the order a pass over the grid's rows adds them in (the same sums).
  const auto add_known = [&](auto&& add) {
    const auto stride = static_cast<std::size_t>(w);
    for (int block_row = 0; block_row < ch; ++block_row) {
      const int row = 2 * block_row;
      const bool lower = row + 1 < h;
      const std::size_t base = static_cast<std::size_t>(row) * stride;
      const std::size_t block_base = static_cast<std::size_t>(block_row) * static_cast<std::size_t>(cw);
      for (int block_col = 0; block_col < cw; ++block_col) {
        const int col = 2 * block_col;
        const bool right = col + 1 < w;
        const std::size_t i = base + static_cast<std::size_t>(col), c = block_base + static_cast<std::size_t>(block_col);
        if (!unknown[i]) add(i, c);
        if (right && !unknown[i + 1]) add(i + 1, c);
        if (lower && !unknown[i + stride]) add(i + stride, c);
        if (lower && right && !unknown[i + stride + 1]) add(i + stride + 1, c);
      }
    }
  };
  add_known([&](std::size_t, std::size_t c) {
    ++n[c];
    coarse_unknown[c] = 0;
  });
  std::vector<std::vector<float>> coarse(channels.size());
  std::vector<std::vector<float>*> coarse_channels(channels.size());
  std::vector<float> sum(coarse_size);
  for (std::size_t k = 0; k < channels.size(); ++k) {
    const std::vector<float>& v = *channels[k];
    std::fill(sum.begin(), sum.end(), 0.0f);
    add_known([&](std::size_t i, std::size_t c) { sum[c] += v[i]; });
    std::vector<float>& values = coarse[k];
    values.assign(coarse_size, 0.0f);
    float mean_known = 0.0f;
    int known = 0;
    for (std::size_t c = 0; c < coarse_size; ++c) {
      if (n[c] > 0) {
        values[c] = sum[c] / static_cast<float>(n[c]);
        mean_known += values[c];
        ++known;
      }
    }
    if (known > 0) mean_known /= static_cast<float>(known);
    for (std::size_t c = 0; c < coarse_size; ++c)
      if (coarse_unknown[c]) values[c] = mean_known;
    coarse_channels[k] = &values;
  }
  solve_level(coarse_channels, coarse_unknown, cw, ch, wx, wy, vectorised);
  // Prolongation (bilinear between coarse centres) as the starting point, then relaxation. The
  // columns' coarse neighbours and weights are the same on every row: taken once.
  std::vector<int> x0s(static_cast<std::size_t>(w)), x1s(static_cast<std::size_t>(w));
  std::vector<float> txs(static_cast<std::size_t>(w));
  for (int col = 0; col < w; ++col) {
    const float cx = std::clamp((col - 0.5f) / 2.0f, 0.0f, static_cast<float>(cw - 1));
    const auto c = static_cast<std::size_t>(col);
    x0s[c] = std::min(static_cast<int>(cx), cw - 1);
    x1s[c] = std::min(x0s[c] + 1, cw - 1);
    txs[c] = cx - static_cast<float>(x0s[c]);
  }
  // Each coarse row interpolated along the columns once (two fine rows in turn read the same
  // pair of coarse rows), then between its pair of rows at the unknown points.
  std::vector<float> along(static_cast<std::size_t>(ch) * static_cast<std::size_t>(w));
  for (std::size_t k = 0; k < channels.size(); ++k) {
    std::vector<float>& v = *channels[k];
    const std::vector<float>& values = coarse[k];
    for (int y = 0; y < ch; ++y) {
      const float* coarse_row = values.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(cw);
      float* line = along.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(w);
      for (int col = 0; col < w; ++col) {
        const auto c = static_cast<std::size_t>(col);
        const auto x0 = static_cast<std::size_t>(x0s[c]), x1 = static_cast<std::size_t>(x1s[c]);
        line[col] = coarse_row[x0] + txs[c] * (coarse_row[x1] - coarse_row[x0]);
      }
    }
    for (int row = 0; row < h; ++row) {
      const float cy = std::clamp((row - 0.5f) / 2.0f, 0.0f, static_cast<float>(ch - 1));
      const int y0 = std::min(static_cast<int>(cy), ch - 1);
      const int y1 = std::min(y0 + 1, ch - 1);
      const float ty = cy - static_cast<float>(y0);
      const float* top = along.data() + static_cast<std::size_t>(y0) * static_cast<std::size_t>(w);
      const float* bottom = along.data() + static_cast<std::size_t>(y1) * static_cast<std::size_t>(w);
      const std::size_t base = static_cast<std::size_t>(row) * static_cast<std::size_t>(w);
      const std::uint8_t* unknown_row = unknown.data() + base;
      float* out = v.data() + base;
      for (int col = 0; col < w; ++col) {
        const float between = top[col] + ty * (bottom[col] - top[col]);
        out[col] = unknown_row[col] ? between : out[col];
      }
    }
  }
  // The coarse solution is already smooth; large levels need only a few sweeps to settle their
  // boundary (a fraction of a micrometre is far below the skin's noise).
  const bool large = static_cast<std::size_t>(w) * static_cast<std::size_t>(h) > 48u * 48u;
  relax(channels, unknown, w, h, wx, wy, large ? 8 : 40, 0.02f, vectorised);
}

// Harmonic fill of the `unknown` points of a w x h grid from the others, in each channel: a loose
// multigrid (fractions of a micrometre, far below the skin's noise) that costs a few sweeps per point.
// surface/fill.h's harmonic_fill solves to 1e-6 of the height range, which costs 5-10 times
// more for no difference a depth can show. With no known point the unknowns become 0.
void harmonic_fill_box(Channels channels, const std::vector<std::uint8_t>& unknown, int w, int h, double dx_um,
                       double dy_um, bool vectorised = kVectorised) {
  if (std::find(unknown.begin(), unknown.end(), 0) == unknown.end()) {
    for (std::vector<float>* values : channels) std::fill(values->begin(), values->end(), 0.0f);
    return;
  }
  const float wx = static_cast<float>(1.0 / (dx_um * dx_um));
  const float wy = static_cast<float>(1.0 / (dy_um * dy_um));
  const float scale = std::max(wx, wy);
  solve_level(channels, unknown, w, h, wx / scale, wy / scale, vectorised);
}

// Box of the candidate with a margin, clipped to the map.
struct Box {
  int x0 = 0, y0 = 0;  // first point, in the scan
  int g = 1;           // scan points per measurement cell along x and y
  int w = 0, h = 0;    // measurement cells
  std::size_t at(int row, int col) const { return static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col); }
};

// Rows r0..r1 and columns c0..c1 of a box (r1 < 0: none).
using Bounds = CellBounds;

// The 8-connected component of `inside` that holds `seed`, with enclosed allowed holes filled in
// (a hole: points not reachable from the box edge without crossing the component). The holes are
// the points of the component's bounding box that no 4-connected path of points outside the
// component joins to that box's edge: exactly the points inside its outer contour (a contour
// through the centres of 8-connected points never passes through another point's centre, nor
// between two 4-connected ones), found without tracing and filling the contour.
std::vector<std::uint8_t> component_with_holes(const std::vector<std::uint8_t>& inside, const std::vector<std::uint8_t>& allowed,
                                               const Box& box, std::size_t seed, const Bounds* within = nullptr) {
  std::vector<std::uint8_t> region(inside.size(), 0);
  if (!inside[seed]) return region;
  // `within` (if given) holds every point of `inside`, and so the component: the flood and its mask
  // need cover only it.
  const cv::Rect window = within ? cv::Rect(within->c0, within->r0, within->c1 - within->c0 + 1, within->r1 - within->r0 + 1)
                                 : cv::Rect(0, 0, box.w, box.h);
  const cv::Mat image = cv::Mat(box.h, box.w, CV_8U, const_cast<std::uint8_t*>(inside.data()))(window);
  cv::Mat flooded = cv::Mat::zeros(window.height + 2, window.width + 2, CV_8U);
  cv::Rect bounds;
  const cv::Point start(static_cast<int>(seed % static_cast<std::size_t>(box.w)) - window.x,
                        static_cast<int>(seed / static_cast<std::size_t>(box.w)) - window.y);
  cv::floodFill(image, flooded, start, cv::Scalar(1), &bounds, cv::Scalar(0), cv::Scalar(0),
                8 | cv::FLOODFILL_MASK_ONLY | cv::FLOODFILL_FIXED_RANGE | (1 << 8));
  const int flood_x = bounds.x, flood_y = bounds.y;  // in the window; `bounds` from here on in the box
  bounds.x += window.x;
  bounds.y += window.y;
  // Over the bounding box with a one-point border (outside, where the flood starts): 1 component,
  // 2 reached from outside, 0 not reached.
  const int bw = bounds.width + 2, bh = bounds.height + 2;
  std::vector<std::uint8_t> state(static_cast<std::size_t>(bw) * static_cast<std::size_t>(bh), 2);
  for (int row = 0; row < bounds.height; ++row) {
    const std::uint8_t* in = flooded.ptr<std::uint8_t>(flood_y + row + 1) + flood_x + 1;
    std::uint8_t* out = region.data() + box.at(bounds.y + row, bounds.x);
    std::uint8_t* mark = state.data() + static_cast<std::size_t>(row + 1) * static_cast<std::size_t>(bw) + 1;
    // (The flood marks its points 1 and leaves the rest 0.)
    std::copy_n(in, bounds.width, out);
    std::copy_n(in, bounds.width, mark);
  }
  // The points next to the border, then everything 4-connected to them outside the component, a
  // run along a row at a time (the border stops every run).
  std::vector<std::size_t> stack;
  const auto at = [bw](int row, int col) { return static_cast<std::size_t>(row) * static_cast<std::size_t>(bw) + static_cast<std::size_t>(col); };
  for (int col = 1; col + 1 < bw; ++col) {
    stack.push_back(at(1, col));
    stack.push_back(at(bh - 2, col));
  }
  for (int row = 1; row + 1 < bh; ++row) {
    stack.push_back(at(row, 1));
    stack.push_back(at(row, bw - 2));
  }
  const auto seed_runs = [&](std::size_t from, std::size_t to) {  // the runs of unreached points in from..to
    for (std::size_t j = from; j <= to; ++j)
      if (state[j] == 0 && (j == from || state[j - 1] != 0)) stack.push_back(j);
  };
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (state[i] != 0) continue;
    std::size_t left = i, right = i;
    while (state[left - 1] == 0) --left;
    while (state[right + 1] == 0) ++right;
    std::fill(state.begin() + static_cast<std::ptrdiff_t>(left), state.begin() + static_cast<std::ptrdiff_t>(right) + 1, std::uint8_t{2});
    seed_runs(left - static_cast<std::size_t>(bw), right - static_cast<std::size_t>(bw));
    seed_runs(left + static_cast<std::size_t>(bw), right + static_cast<std::size_t>(bw));
  }
  for (int row = 0; row < bounds.height; ++row) {
    const std::uint8_t* mark = state.data() + static_cast<std::size_t>(row + 1) * static_cast<std::size_t>(bw) + 1;
    const std::size_t j = box.at(bounds.y + row, bounds.x);
    const std::uint8_t* allow = allowed.data() + j;
    std::uint8_t* out = region.data() + j;
    for (int col = 0; col < bounds.width; ++col) out[col] |= static_cast<std::uint8_t>((mark[col] == 0) & (allow[col] != 0));
  }
  return region;
}


// The region dilated by an ellipse of `radius` (OpenCV's MORPH_ELLIPSE element, the maximum over
// it, points beyond the box counting as 0), over the region's bounding box grown by the radius only:
// nothing outside it can be reached. Each row of the element is a centred segment, so each output
// row is the maximum of the nearby input rows, each dilated along the row by its segment's
// half-width (dilating by k is dilating by k - 1 and then by 1).
std::vector<std::uint8_t> dilate(const std::vector<std::uint8_t>& region, const Box& box, int radius) {
  if (radius <= 0) return region;
  std::vector<std::uint8_t> dilated(region.size(), 0);
  const auto [r0, r1, c0, c1] = set_bounds(region.data(), box.w, box.h);
  if (r1 < 0) return dilated;
  const cv::Mat element = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * radius + 1, 2 * radius + 1));
  // Half-width of each element row (-1: empty), and whether each row is a centred segment.
  std::vector<int> half(static_cast<std::size_t>(2 * radius + 1), -1);
  bool segments = true;
  for (int dy = 0; dy <= 2 * radius; ++dy) {
    const std::uint8_t* e = element.ptr<std::uint8_t>(dy);
    int first = -1, last = -1, count = 0;
    for (int dx = 0; dx <= 2 * radius; ++dx)
      if (e[dx]) {
        if (first < 0) first = dx;
        last = dx;
        ++count;
      }
    if (first < 0) continue;
    segments = segments && count == last - first + 1 && first + last == 2 * radius;
    half[static_cast<std::size_t>(dy)] = radius - first;
  }
  const int x0 = std::max(0, c0 - radius), x1 = std::min(box.w, c1 + radius + 1);  // output columns
  const int y0 = std::max(0, r0 - radius), y1 = std::min(box.h, r1 + radius + 1);  // output rows
  if (!segments) {
    const cv::Rect window(cv::Point(x0, y0), cv::Point(x1, y1));
    const cv::Mat in(box.h, box.w, CV_8U, const_cast<std::uint8_t*>(region.data()));
    cv::Mat out(box.h, box.w, CV_8U, dilated.data());
    cv::Mat out_window = out(window);
    cv::dilate(in(window), out_window, element);
    return dilated;
  }
  const int widest = *std::max_element(half.begin(), half.end());
  // Input rows r0..r1 dilated along the row by k = 0, 1, ..., widest in turn (over columns
  // x0..x1 - 1, stored with `widest` columns of zeros either side), each taken into the output rows
  // whose element rows have half-width k.
  const int span = x1 - x0, stride = span + 2 * widest;
  const int rows = r1 - r0 + 1;
  std::vector<std::uint8_t> along(static_cast<std::size_t>(rows) * static_cast<std::size_t>(stride), 0), next(along.size(), 0);
  for (int row = 0; row < rows; ++row)
    std::copy_n(region.data() + box.at(r0 + row, x0), span,
                along.data() + static_cast<std::size_t>(row) * static_cast<std::size_t>(stride) + static_cast<std::size_t>(widest));
  for (int k = 0; k <= widest; ++k) {
    if (k > 0) {
      // (Columns 0 and stride - 1 stay 0: wrong only at k = widest, and never read.)
      for (int row = 0; row < rows; ++row) {
        const std::uint8_t* p = along.data() + static_cast<std::size_t>(row) * static_cast<std::size_t>(stride);
        std::uint8_t* q = next.data() + static_cast<std::size_t>(row) * static_cast<std::size_t>(stride);
        for (int col = 1; col + 1 < stride; ++col) q[col] = std::max(std::max(p[col - 1], p[col]), p[col + 1]);
      }
      along.swap(next);
    }
    for (int dy = -radius; dy <= radius; ++dy) {
      if (half[static_cast<std::size_t>(dy + radius)] != k) continue;
      for (int row = std::max(y0, r0 - dy); row < std::min(y1, r1 - dy + 1); ++row) {
        std::uint8_t* out = dilated.data() + box.at(row, x0);
        const std::uint8_t* in = along.data() + static_cast<std::size_t>(row + dy - r0) * static_cast<std::size_t>(stride) +
                                 static_cast<std::size_t>(widest);
        for (int col = 0; col < span; ++col) out[col] = std::max(out[col], in[col]);
      }
    }
  }
  return dilated;
}

std::size_t count_set(const std::vector<std::uint8_t>& region) {
  return static_cast<std::size_t>(std::count_if(region.begin(), region.end(), [](std::uint8_t v) { return v != 0; }));
}

}  // namespace

ScarMeasurement measure_candidate(const HeightMap& relief, const DetectionGrid& grid, const std::vector<std::int32_t>& labels,
                                  int label, const CandidateRegion& candidate, const DetectionSettings& detection,
                                  const MeasurementSettings& settings) {
  ScarMeasurement m;
  m.elevation = candidate.elevation;
  const float sign = candidate.elevation ? -1.0f : 1.0f;  // depth = sign * (fill - relief)

  // The candidate's bounding box on the detection grid, at full resolution, with a margin.
  const int min_col = candidate.min_col * grid.fx, min_row = candidate.min_row * grid.fy;
  const int max_col = std::min(relief.nx() - 1, (candidate.max_col + 1) * grid.fx - 1);
  const int max_row = std::min(relief.ny() - 1, (candidate.max_row + 1) * grid.fy - 1);
  const int span = std::max(max_row - min_row, max_col - min_col) + 1;
  const int margin = std::clamp(saturating_cast<int>(settings.box_margin_fraction * span), 6, std::max(relief.nx(), relief.ny()));
  // A scar wider than min_points_across points is measured on block means of g x g points: its
  // shape needs no finer grid, and the work stays the same whatever its size.
  Box box;
  box.g = std::max(1, span / std::max(1, settings.min_points_across));
  const int g = box.g;
  box.x0 = std::max(0, min_col - margin);
  box.y0 = std::max(0, min_row - margin);
  box.w = (std::min(relief.nx(), max_col + margin + 1) - box.x0 + g - 1) / g;
  box.h = (std::min(relief.ny(), max_row + margin + 1) - box.y0 + g - 1) / g;
  const std::size_t size = static_cast<std::size_t>(box.w) * static_cast<std::size_t>(box.h);
  const double dx = relief.dx_um() * g;  // spacing of the measurement grid
  const double dy = relief.dy_um() * g;
  // Scan coordinates (points) of a measurement cell's centre.
  const auto scan_col = [&](double c) { return box.x0 + c * g + (g - 1) / 2.0; };
  const auto scan_row = [&](double r) { return box.y0 + r * g + (g - 1) / 2.0; };

  // Block means over the box and a border wide enough for the smoothing kernel (so the box sees
  // what a blur of the whole scan would), then the smoothing.
  // (Scratch is not zero-filled: each of these is written at every point before it is read, and the
  // fills and depths below over the fill's box, where alone they are read.)
  using Scratch = std::vector<float, detail::DefaultInitAllocator<float>>;
  Scratch height(size), smooth(size), envelope(size), trace_relief(size);
  std::vector<std::uint8_t> seen(size);
  {
    const double sx = detection.smoothing_sigma_um / dx, sy = detection.smoothing_sigma_um / dy;
    const bool blur = sx >= 0.3 || sy >= 0.3;
    // (The kernel's reach never needs more than the scan: px, py are clipped to it below anyway.)
    const int px = blur ? std::min(saturating_cast<int>(std::ceil(4.0 * std::max(sx, 0.3))), relief.nx()) + 1 : 0;
    const int py = blur ? std::min(saturating_cast<int>(std::ceil(4.0 * std::max(sy, 0.3))), relief.ny()) + 1 : 0;
    // Blocks kx0..kx1-1 and ky0..ky1-1, counted from the box's first block.
    const int kx0 = -std::min(px, box.x0 / g), ky0 = -std::min(py, box.y0 / g);
    const int kx1 = std::min(box.w + px, (relief.nx() - box.x0 + g - 1) / g);
    const int ky1 = std::min(box.h + py, (relief.ny() - box.y0 + g - 1) / g);
    // (Summed into from 0 on blocks of g x g points; with one point per block each is set at every
    // point, the blocks ending where the scan does.)
    const auto block_image = [&] {
      return g == 1 ? cv::Mat(ky1 - ky0, kx1 - kx0, CV_32F) : cv::Mat(ky1 - ky0, kx1 - kx0, CV_32F, cv::Scalar(0));
    };
    cv::Mat means = block_image(), valid_count = block_image(), point_count = block_image();
    const int first_col = box.x0 + kx0 * g, end_col = std::min(relief.nx(), box.x0 + kx1 * g);
    const int row_end = std::min(relief.ny(), box.y0 + ky1 * g);
    if (g == 1) {
      for (int row = box.y0 + ky0; row < row_end; ++row) {
        // One point per cell: the means are the heights, the counts the mask (and 1).
        const int k = row - box.y0 - ky0;
        const float* z = relief.heights() + relief.index(row, first_col);
        const std::uint8_t* mask = relief.mask() + relief.index(row, first_col);
        float* mean = means.ptr<float>(k);
        float* valid = valid_count.ptr<float>(k);
        float* points = point_count.ptr<float>(k);
        for (int c = 0; c < end_col - first_col; ++c) {
          mean[c] = z[c];
          valid[c] = mask[c] ? 1.0f : 0.0f;
          points[c] = 1.0f;
        }
      }
    } else {
      for (int row = box.y0 + ky0 * g; row < row_end; ++row) {
        const int k = (row - box.y0) / g - ky0;  // row - box.y0 + (-ky0) * g >= 0
        float* sum = means.ptr<float>(k);
        float* valid = valid_count.ptr<float>(k);
        float* points = point_count.ptr<float>(k);
        const float* z = relief.heights() + relief.index(row, first_col);
        const std::uint8_t* mask = relief.mask() + relief.index(row, first_col);
        // Each block's points in the row's order, as one running sum per block would take them,
        // but the j-th point of every block in turn: the sums do not wait on each other.
        const int blocks = (end_col - first_col) / g;
        for (int j = 0; j < g; ++j) {
          for (int c = 0; c < blocks; ++c) sum[c] += z[c * g + j];
        }
        // The counts are whole numbers (exact in float whatever the order they are added and
        // taken off in): every block's g points, less each missing one (found by memchr, a run
        // of them at a time; most rows miss no point, and those that do few).
        const auto whole = static_cast<std::size_t>(blocks) * static_cast<std::size_t>(g);
        for (int c = 0; c < blocks; ++c) valid[c] += static_cast<float>(g);
        const std::uint8_t* const mask_end = mask + whole;
        for (auto* missing = static_cast<const std::uint8_t*>(std::memchr(mask, 0, whole)); missing != nullptr;
             missing = static_cast<const std::uint8_t*>(std::memchr(missing, 0, static_cast<std::size_t>(mask_end - missing)))) {
          do {
            valid[(missing - mask) / g] -= 1.0f;
            ++missing;
          } while (missing != mask_end && *missing == 0);
          if (missing == mask_end) break;
        }
        for (int c = 0; c < blocks; ++c) points[c] += static_cast<float>(g);
        // The last block, partial at the scan's edge.
        for (int col = blocks * g; col < end_col - first_col; ++col) {
          sum[blocks] += z[col];
          valid[blocks] += mask[col] ? 1.0f : 0.0f;
          points[blocks] += 1.0f;
        }
      }
      means /= cv::max(point_count, 1.0f);
    }
    cv::Mat blurred;
    if (blur) {
      cv::GaussianBlur(means, blurred, cv::Size(0, 0), std::max(sx, 0.3), std::max(sy, 0.3), cv::BORDER_REFLECT);
    } else {
      blurred = means;
    }
    for (int row = 0; row < box.h; ++row) {
      const float* b = blurred.ptr<float>(row - ky0) - kx0;
      const float* mean = means.ptr<float>(row - ky0) - kx0;
      const float* valid = valid_count.ptr<float>(row - ky0) - kx0;
      const float* points = point_count.ptr<float>(row - ky0) - kx0;
      for (int col = 0; col < box.w; ++col) {
        const std::size_t i = box.at(row, col);
        smooth[i] = b[col];
        height[i] = mean[col];
        seen[i] = 2.0f * valid[col] >= points[col] ? 1 : 0;  // at least half its points seen
      }
    }
  }
  // The relief without pores and furrows (`envelope`, depth is read on it): the smoothed relief
  // plus what the detection grid's closing (opening) changed there, interpolated between the
  // detection cells' centres. The extent is traced on the grid's own samples plus that change
  // (`trace_relief`): smoothing widens a steep wall's rim (ice picks came out 2.4 % wider in
  // diameter on the tuning suite once the rim was traced against the right fill, 4.8 % when traced
  // on the smoothed relief).
  {
    const DetectionGrid::Cells& traced_coarse = candidate.elevation ? grid.opened : grid.closed;
    std::vector<int> i0(static_cast<std::size_t>(box.w)), i1(static_cast<std::size_t>(box.w));
    std::vector<float> tx(static_cast<std::size_t>(box.w));
    for (int col = 0; col < box.w; ++col) {
      const double u = std::clamp((scan_col(col) - (grid.fx - 1) / 2.0) / grid.fx, 0.0, static_cast<double>(grid.nx - 1));
      const auto k = static_cast<std::size_t>(col);
      i0[k] = std::min(static_cast<int>(u), std::max(0, grid.nx - 2));
      i1[k] = std::min(i0[k] + 1, grid.nx - 1);
      tx[k] = static_cast<float>(u - i0[k]);
    }
    // The detection cells' columns the box needs, and the change interpolated between two rows
    // of cells for each of them.
    const int first = i0.front(), last = i1.back();
    std::vector<float> line(static_cast<std::size_t>(last - first + 1));
    for (int row = 0; row < box.h; ++row) {
      const double v = std::clamp((scan_row(row) - (grid.fy - 1) / 2.0) / grid.fy, 0.0, static_cast<double>(grid.ny - 1));
      const int j0 = std::min(static_cast<int>(v), std::max(0, grid.ny - 2));
      const int j1 = std::min(j0 + 1, grid.ny - 1);
      const auto ty = static_cast<float>(v - j0);
      const std::size_t r0 = static_cast<std::size_t>(j0) * static_cast<std::size_t>(grid.nx);
      const std::size_t r1 = static_cast<std::size_t>(j1) * static_cast<std::size_t>(grid.nx);
      for (int c = first; c <= last; ++c) {
        const float top = traced_coarse[r0 + static_cast<std::size_t>(c)] - grid.smoothed[r0 + static_cast<std::size_t>(c)];
        const float bottom = traced_coarse[r1 + static_cast<std::size_t>(c)] - grid.smoothed[r1 + static_cast<std::size_t>(c)];
        line[static_cast<std::size_t>(c - first)] = top + ty * (bottom - top);
      }
      for (int col = 0; col < box.w; ++col) {
        const auto k = static_cast<std::size_t>(col);
        const float a = line[static_cast<std::size_t>(i0[k] - first)], b = line[static_cast<std::size_t>(i1[k] - first)];
        const std::size_t i = box.at(row, col);
        envelope[i] = smooth[i] + a + tx[k] * (b - a);
        trace_relief[i] = (seen[i] ? height[i] : smooth[i]) + a + tx[k] * (b - a);
      }
    }
  }
  // Detection labels at the cells' centres.
  std::vector<std::uint8_t> own(size), allowed(size), others(size);
  std::vector<int> cell_col(static_cast<std::size_t>(box.w));
  for (int col = 0; col < box.w; ++col)
    cell_col[static_cast<std::size_t>(col)] = std::min(relief.nx() - 1, box.x0 + col * g + g / 2) / grid.fx;
  for (int row = 0; row < box.h; ++row) {
    const int scan_r = std::min(relief.ny() - 1, box.y0 + row * g + g / 2);
    const std::int32_t* label_row = labels.data() + static_cast<std::size_t>(scan_r / grid.fy) * static_cast<std::size_t>(grid.nx);
    std::uint8_t* own_row = own.data() + box.at(row, 0);
    std::uint8_t* others_row = others.data() + box.at(row, 0);
    std::uint8_t* allowed_row = allowed.data() + box.at(row, 0);
    for (int col = 0; col < box.w; ++col) {
      const std::int32_t l = label_row[cell_col[static_cast<std::size_t>(col)]];
      own_row[col] = l == label;
      others_row[col] = l != 0 && l != label;
      allowed_row[col] = !others_row[col];
    }
  }
  // The deepest of the cells over the detection grid's deepest cell, that detection labelled.
  std::size_t peak_local = 0;
  {
    const int cell_row = candidate.peak_index / grid.nx, cell_col = candidate.peak_index % grid.nx;
    const int r0 = (cell_row * grid.fy - box.y0) / g, r1 = ((cell_row + 1) * grid.fy - 1 - box.y0) / g;
    const int c0 = (cell_col * grid.fx - box.x0) / g, c1 = ((cell_col + 1) * grid.fx - 1 - box.x0) / g;
    float best = -std::numeric_limits<float>::infinity();
    for (int row = std::max(0, r0); row <= std::min(box.h - 1, r1); ++row)
      for (int col = std::max(0, c0); col <= std::min(box.w - 1, c1); ++col) {
        const std::size_t i = box.at(row, col);
        if (own[i] && -sign * smooth[i] > best) {
          best = -sign * smooth[i];
          peak_local = i;
        }
      }
    if (best == -std::numeric_limits<float>::infinity()) return m;
  }
  std::vector<std::uint8_t> region = component_with_holes(own, allowed, box, peak_local);

  // Skin filled in from around `extent` (harmonic, over the extent's bounding box only: the
  // points around it are the boundary), and the depth against it.
  Scratch fill(size), envelope_fill(size), trace_depth(size);
  // Each `source` filled from the rim into its `filled`; the fills share their unknown points, and
  // so the solver's set-up. Only the fill's box (the extent's bounding box grown by 2 points,
  // returned; r1 < 0 when the extent is empty) is written: outside it the fill is `source` itself,
  // and what follows reads the fills only there (every use below is within the extent, or next to
  // its points), so the rest of the box is neither copied nor swept.
  struct FillJob {
    const Scratch* source;
    Scratch* filled;
  };
  auto harmonic_from_rim = [&](const std::vector<std::uint8_t>& extent, std::initializer_list<FillJob> jobs) {
    // rim values from the smoothed relief: the rim is a level, not a noise sample
    Bounds fb = set_bounds(extent.data(), box.w, box.h);
    if (fb.r1 < 0) return fb;
    fb.r0 = std::max(0, fb.r0 - 2);
    fb.c0 = std::max(0, fb.c0 - 2);
    fb.r1 = std::min(box.h - 1, fb.r1 + 2);
    fb.c1 = std::min(box.w - 1, fb.c1 + 2);
    const int r0 = fb.r0, c0 = fb.c0;
    const int sw = fb.c1 - c0 + 1, sh = fb.r1 - r0 + 1;
    const std::size_t sub_size = static_cast<std::size_t>(sw) * static_cast<std::size_t>(sh);
    std::vector<std::vector<float>> subs(jobs.size(), std::vector<float>(sub_size));
    std::vector<std::vector<float>*> channels;
    std::vector<std::uint8_t> unknown(sub_size);
    for (int row = 0; row < sh; ++row) {
      const std::uint8_t* e = extent.data() + box.at(r0 + row, c0);
      const std::uint8_t* o = others.data() + box.at(r0 + row, c0);
      std::uint8_t* u = unknown.data() + static_cast<std::size_t>(row) * static_cast<std::size_t>(sw);
      for (int col = 0; col < sw; ++col) u[col] = (e[col] | o[col]) != 0;
    }
    std::size_t j = 0;
    for (const FillJob& job : jobs) {
      std::vector<float>& sub = subs[j++];
      for (int row = 0; row < sh; ++row)
        std::copy_n(job.source->begin() + static_cast<std::ptrdiff_t>(box.at(r0 + row, c0)), sw,
                    sub.begin() + static_cast<std::ptrdiff_t>(row) * sw);
      channels.push_back(&sub);
    }
    harmonic_fill_box(channels, unknown, sw, sh, dx, dy);
    j = 0;
    for (const FillJob& job : jobs) {
      const std::vector<float>& sub = subs[j++];
      for (int row = 0; row < sh; ++row)
        std::copy(sub.begin() + static_cast<std::ptrdiff_t>(row) * sw, sub.begin() + static_cast<std::ptrdiff_t>(row + 1) * sw,
                  job.filled->begin() + static_cast<std::ptrdiff_t>(box.at(r0 + row, c0)));
    }
    return fb;
  };
  // The extent is traced on the relief without pores and furrows against that same relief filled
  // in from the rim. (Against the smoothed relief's fill, as before issue 17's rolling work, the
  // closing's lift on the skin, 5-10 um, was taken off every depth: rolling scars' rims came in,
  // 7 % short in diameter on the tuning suite, 13 % on shallow ones.) The depth is taken inside the
  // fill's box only (returned); outside it the relief is its own fill and the depth sign * 0.
  Scratch trace_fill(size);
  auto fill_from_rim = [&](const std::vector<std::uint8_t>& extent) {
    const Bounds fb = harmonic_from_rim(extent, {{&trace_relief, &trace_fill}});
    for (int row = fb.r0; row <= fb.r1; ++row)
      for (int col = fb.c0; col <= fb.c1; ++col) {
        const std::size_t i = box.at(row, col);
        trace_depth[i] = sign * (trace_fill[i] - trace_relief[i]);
      }
    return fb;
  };

  const double pixel_mm2 = dx * dy * 1e-6;
  double rim_radius_px = 0.0, traced_radius_px = 0.0, support_radius_px = 0.0;
  int grow_px = 2;
  std::vector<std::uint8_t> traced;
  float peak = 0.0f;
  std::size_t peak_at = peak_local;
  // Fill from the rim, trace the extent at the rim level, and fill again from the new rim: the
  // second pass corrects a first rim that lay inside the scar.
  for (int pass = 0; pass < 2; ++pass) {
    // The region lies in its own dilation, so inside the fill's box (empty with it).
    Bounds work = fill_from_rim(dilate(region, box, grow_px));
    peak = 0.0f;
    float trace_peak = -1e30f;
    for (int row = work.r0; row <= work.r1; ++row)
      for (int col = work.c0; col <= work.c1; ++col) {
        const std::size_t i = box.at(row, col);
        if (!region[i]) continue;
        // The rim is a fraction of the scar's depth on the relief without pores and furrows: a pore on
        // the floor must not raise it (rolling scars came out narrow).
        peak = std::max(peak, trace_depth[i]);
        if (trace_depth[i] > trace_peak) {
          trace_peak = trace_depth[i];
          peak_at = i;
        }
      }
    if (peak <= 0.0f) return m;
    const float level = std::max(static_cast<float>(settings.rim_min_um), static_cast<float>(settings.rim_fraction) * peak);
    m.rim_level_um = level;
    // Outside the fill's box the depth is sign * 0 (or NaN): never at a positive level, so nothing
    // above it lies there. At a level of 0 or below (settings only) the whole box is looked at.
    if (!(level > 0.0f)) {
      for (int row = 0; row < box.h; ++row)
        for (int col = 0; col < box.w; ++col) {
          if (row >= work.r0 && row <= work.r1 && col >= work.c0 && col <= work.c1) continue;
          const std::size_t i = box.at(row, col);
          trace_depth[i] = sign * (trace_relief[i] - trace_relief[i]);
        }
      work = Bounds{0, box.h - 1, 0, box.w - 1};
    }
    std::vector<std::uint8_t> above(size);
    for (int row = work.r0; row <= work.r1; ++row)
      for (int col = work.c0; col <= work.c1; ++col) {
        const std::size_t i = box.at(row, col);
        above[i] = (allowed[i] != 0) & (trace_depth[i] >= level);
      }
    traced = component_with_holes(above, allowed, box, peak_at, &work);
    const double traced_area = static_cast<double>(count_set(traced));
    traced_radius_px = std::sqrt(traced_area / std::numbers::pi);
    rim_radius_px = traced_radius_px;
    support_radius_px = traced_radius_px;
    m.extent_extrapolated = false;
    const double f1 = level / peak;
    if (2.0 * f1 < 0.7) {
      // Near its rim a wall meets the skin as r = R - c f^a (a = 1/2 for a smooth wall, 1 for a
      // cone), fitted to the wall between one and four times the traced level. If the rim lies
      // below the noise floor, the extent's radius is extrapolated down to
      // settings.extrapolate_to_fraction of the depth. Whatever the level, the skin is filled in from
      // where the wall meets it (f = 0: the scar's whole support), never from the rim at 2 % of
      // the depth: a sloping wall is still some micrometres deep there, which filling from it took
      // off the depth and, over the whole extent, off the volume (a raised-cosine bowl: 2 % of its
      // depth, 5.6 % of its volume).
      auto radius_at = [&](float factor) {
        std::vector<std::uint8_t> above_level(size);  // (traced lies in `work`)
        const float threshold = factor * level;
        for (int row = work.r0; row <= work.r1; ++row)
          for (int col = work.c0; col <= work.c1; ++col) {
            const std::size_t i = box.at(row, col);
            above_level[i] = (traced[i] != 0) & (trace_depth[i] >= threshold);
          }
        return std::sqrt(static_cast<double>(count_set(component_with_holes(above_level, allowed, box, peak_at, &work))) /
                         std::numbers::pi);
      };
      const double r2 = radius_at(2.0f);
      double exponent = 0.5;
      if (4.0 * f1 < 0.7) {
        const double r4 = radius_at(4.0f);
        if (r2 < traced_radius_px && r4 < r2) {
          exponent = std::clamp(std::log2((r2 - r4) / (traced_radius_px - r2)), 0.3, 1.2);
        }
      }
      if (r2 > 0 && r2 < traced_radius_px) {
        const double c = (traced_radius_px - r2) / (std::pow(f1, exponent) * (std::pow(2.0, exponent) - 1.0));
        if (f1 > settings.rim_fraction * 1.01) {
          rim_radius_px = std::min(1.5 * traced_radius_px,
                                   traced_radius_px + c * (std::pow(f1, exponent) - std::pow(settings.extrapolate_to_fraction, exponent)));
          m.extent_extrapolated = true;
        }
        support_radius_px = std::max(rim_radius_px, std::min(1.5 * traced_radius_px, traced_radius_px + c * std::pow(f1, exponent)));
      }
    }
    support_radius_px = std::max(support_radius_px, rim_radius_px);
    region = traced;
    grow_px = std::clamp(saturating_cast<int>(std::ceil(support_radius_px - traced_radius_px)), 0, 2 * std::max(box.w, box.h)) + 1;
  }
  // Both reliefs are filled in from the same support: where the wall meets the skin. Everything
  // below reads the fills and the depth against them on the region, next to its points or on the
  // extent, all inside the support and so inside the fill's box `fb`: only that box is looked at.
  Bounds fb = harmonic_from_rim(dilate(region, box, grow_px), {{&envelope, &envelope_fill}, {&smooth, &fill}});
  const std::vector<std::uint8_t> extent = [&] {
    std::vector<std::uint8_t> e = dilate(region, box, grow_px - 1);
    for (std::size_t i = 0; i < size; ++i) e[i] = (e[i] != 0) & (allowed[i] != 0);
    return e;
  }();
  {
    // (The extent, dilated by one point less than the support, lies in it; should it not, the
    // fill outside `fb` is the smoothed relief itself, and the whole box is looked at.)
    const Bounds e = set_bounds(extent.data(), box.w, box.h);
    if (e.r1 >= 0 && (fb.r1 < 0 || e.r0 < fb.r0 || e.r1 > fb.r1 || e.c0 < fb.c0 || e.c1 > fb.c1)) {
      for (int row = 0; row < box.h; ++row)
        for (int col = 0; col < box.w; ++col) {
          if (row >= fb.r0 && row <= fb.r1 && col >= fb.c0 && col <= fb.c1) continue;
          const std::size_t i = box.at(row, col);
          fill[i] = smooth[i];
          envelope_fill[i] = envelope[i];
        }
      fb = Bounds{0, box.h - 1, 0, box.w - 1};
    }
  }
  // Visits the points of `fb` in the box's order.
  const auto over_fill_box = [&](auto&& visit) {
    for (int row = fb.r0; row <= fb.r1; ++row)
      for (int col = fb.c0; col <= fb.c1; ++col) visit(row, col, box.at(row, col));
  };

  // Depth (height), volume, shape.
  // The scar's depth is read on the relief with the pores and furrows removed (the envelope: the
  // detection grid's closing, or opening for elevations), against that relief filled in from the
  // rim, so microrelief on a floor is not counted as scar depth. Where the closed relief's bottom is
  // narrow (the tip of a V, which a closing blunts), the grid's own samples at the tip give it.
  Scratch robust(size);
  over_fill_box([&](int, int, std::size_t i) { robust[i] = sign * (envelope_fill[i] - envelope[i]); });
  float robust_peak = 0.0f;
  over_fill_box([&](int, int, std::size_t i) {
    if (region[i]) robust_peak = std::max(robust_peak, robust[i]);
  });
  if (robust_peak <= 0.0f || traced_radius_px <= 0) return m;
  peak = robust_peak;
  float deepest = 0.0f;  // the deepest of the grid's own samples (no smoothing)
  over_fill_box([&](int, int, std::size_t i) {
    if (region[i]) deepest = std::max(deepest, sign * (fill[i] - height[i]));
  });
  {
    // The closed relief's bottom: within 5 % (at least 3 µm) of its deepest point.
    const float tolerance = std::max(3.0f, 0.05f * robust_peak);
    std::vector<std::uint8_t> bottom(size);
    const float bottom_level = robust_peak - tolerance;
    // ...and the scar itself narrow there: its deepest quarter narrower than three times the
    // closing's width, as a V's is (a 2 mm cone's: 0.5 mm). The bottom of a broad bowl is never
    // blunted by the closing, but its closed relief can have a small deepest patch, and the grid's
    // samples there would add a pore on the floor (an 80 um rolling scar read 150 um).
    std::size_t deepest_quarter = 0, bottom_points = 0;
    const float quarter_level = 0.75f * robust_peak;
    over_fill_box([&](int, int, std::size_t i) {
      const bool in = region[i] != 0;
      bottom[i] = in & (robust[i] >= bottom_level);
      bottom_points += bottom[i];
      deepest_quarter += in & (robust[i] >= quarter_level);
    });
    const double bottom_mm2 = static_cast<double>(bottom_points) * pixel_mm2;
    const double narrow_mm = 1.5 * detection.narrow_feature_width_um / 1000.0;
    const double pit_mm = 3.0 * detection.narrow_feature_width_um / 1000.0;
    const bool narrow_pit = static_cast<double>(deepest_quarter) * pixel_mm2 <= std::numbers::pi * pit_mm * pit_mm / 4.0;
    if (narrow_pit && bottom_mm2 <= std::numbers::pi * narrow_mm * narrow_mm / 4.0) {
      float tip = 0.0f;  // the grid's samples at (and just around) that bottom
      const std::vector<std::uint8_t> near_bottom = dilate(bottom, box, 1);
      over_fill_box([&](int, int, std::size_t i) {
        if (near_bottom[i] && region[i]) tip = std::max(tip, sign * (fill[i] - height[i]));
      });
      peak = std::max(robust_peak, tip);
    }
  }
  const double scale = rim_radius_px / traced_radius_px;
  double volume_um = 0.0, unseen = 0.0, seen_peak = 0.0;
  double sx = 0, sy = 0, n = 0;
  over_fill_box([&](int row, int col, std::size_t i) {
    if (extent[i]) volume_um += sign * (fill[i] - height[i]);
    if (!region[i]) return;
    sx += col;
    sy += row;
    n += 1;
    if (seen[i]) {
      seen_peak = std::max(seen_peak, static_cast<double>(robust[i]));
    } else {
      unseen += 1;
    }
  });
  // The floor was not seen when the deepest part of the scar (within 10 % of its deepest point,
  // seen or filled in) is mostly unseen and one connected unseen patch holds a meaningful share
  // of it: never because of scattered missing points, nor a small dropout on a seen floor.
  bool floor_unseen = false;
  if (unseen > 0) {
    const float deep_level = 0.9f * std::max(peak, robust_peak);
    std::vector<std::uint8_t> hidden(size);
    double deep = 0.0, deep_seen = 0.0;
    over_fill_box([&](int, int, std::size_t i) {
      if (!region[i] || robust[i] < deep_level) return;
      deep += 1;
      if (seen[i]) {
        deep_seen += 1;
      } else {
        hidden[i] = 1;
      }
    });
    double largest_patch = 0.0;
    if (deep > 0 && deep_seen < 0.5 * deep) {
      cv::Mat hidden_image(box.h, box.w, CV_8U, hidden.data());
      cv::Mat labels_image, stats, centroids;
      const int patches = cv::connectedComponentsWithStats(hidden_image, labels_image, stats, centroids, 8, CV_32S);
      for (int k = 1; k < patches; ++k) largest_patch = std::max(largest_patch, static_cast<double>(stats.at<int>(k, cv::CC_STAT_AREA)));
    }
    floor_unseen = largest_patch >= settings.unseen_floor_share * deep;
  }
  const double cx = sx / n, cy = sy / n;
  double sxx = 0, syy = 0, sxy = 0;
  std::size_t deeper_half = 0, within_fifth = 0;
  std::vector<float> wall_slopes;
  for (int row = fb.r0; row <= fb.r1; ++row)
    for (int col = fb.c0; col <= fb.c1; ++col) {
      const std::size_t i = box.at(row, col);
      if (!region[i]) continue;
      const double ex = (col - cx) * dx / 1000.0, ey = (row - cy) * dy / 1000.0;
      sxx += ex * ex;
      syy += ey * ey;
      sxy += ex * ey;
      const float d = robust[i];
      // A floor counts where it was seen (a patch filled in where data is missing is not a floor).
      if (d >= 0.5f * peak && seen[i]) ++deeper_half;
      if (d >= 0.8f * peak) ++within_fifth;
      if (d >= 0.2f * peak && d <= 0.8f * peak && row > 0 && col > 0 && row + 1 < box.h && col + 1 < box.w && seen[i]) {
        const double gx = (robust[box.at(row, col + 1)] - robust[box.at(row, col - 1)]) / (2 * dx);
        const double gy = (robust[box.at(row + 1, col)] - robust[box.at(row - 1, col)]) / (2 * dy);
        wall_slopes.push_back(static_cast<float>(std::hypot(gx, gy)));
      }
    }
  sxx /= n;
  syy /= n;
  sxy /= n;
  const double trace = sxx + syy;
  const double det_root = std::sqrt(std::max(0.0, (sxx - syy) * (sxx - syy) / 4 + sxy * sxy));
  const double lambda1 = trace / 2 + det_root, lambda2 = std::max(0.0, trace / 2 - det_root);

  m.area_mm2 = static_cast<double>(count_set(region)) * pixel_mm2 * scale * scale;
  m.diameter_mm = 2.0 * std::sqrt(m.area_mm2 / std::numbers::pi);
  m.major_mm = 4.0 * std::sqrt(lambda1) * scale;
  m.minor_mm = 4.0 * std::sqrt(lambda2) * scale;
  m.elongation = lambda2 > 0 ? std::sqrt(lambda1 / lambda2) : 99.0;
  m.centroid_mm = {scan_col(cx) * relief.dx_um() / 1000.0, scan_row(cy) * relief.dy_um() / 1000.0};
  m.depth_um = peak;
  m.max_depth_um = std::max(static_cast<double>(peak), static_cast<double>(deepest));
  m.depth_is_lower_bound = floor_unseen && seen_peak < peak;
  m.volume_mm3 = volume_um * dx * dy * 1e-9;
  m.mean_depth_um = m.volume_mm3 / std::max(m.area_mm2, 1e-12) * 1000.0;
  const double extent_points = static_cast<double>(count_set(region)) * scale * scale;
  m.floor_fraction = static_cast<double>(deeper_half) / extent_points;
  m.flat_fraction = static_cast<double>(within_fifth) / extent_points;
  m.unseen_fraction = unseen / n;
  m.depth_to_width = m.depth_um / (1000.0 * m.diameter_mm);
  if (!wall_slopes.empty()) {
    auto middle = wall_slopes.begin() + static_cast<std::ptrdiff_t>(wall_slopes.size() / 2);
    std::nth_element(wall_slopes.begin(), middle, wall_slopes.end());
    m.wall_slope_deg = std::atan(*middle) * 180.0 / std::numbers::pi;
    // Slope against that of a cone of the same depth and width: ~1 for V, ~1.5 for a sloping
    // bowl, 2.5 and more for a flat floor behind steep walls, whatever the scar's size.
    m.wall_sharpness = *middle * (m.diameter_mm * 500.0) / std::max(m.depth_um, 1e-9);
  }

  // Outline: the boundary of the traced region's cells (through their corners, so it encloses the
  // cells area_mm2 counts), scaled about the centroid out to the (extrapolated) rim as area_mm2 is.
  for (const auto& p : cell_boundary_outline(region.data(), box.w, box.h)) {
    const double col = cx + (p[0] - cx) * scale;
    const double row = cy + (p[1] - cy) * scale;
    m.outline_mm.push_back({scan_col(col) * relief.dx_um() / 1000.0, scan_row(row) * relief.dy_um() / 1000.0});
  }
  return m;
}

namespace detail {
std::vector<std::uint8_t> component_with_holes(const std::vector<std::uint8_t>& inside, const std::vector<std::uint8_t>& allowed, int w,
                                               int h, std::size_t seed) {
  Box box;
  box.w = w;
  box.h = h;
  return scarscope::component_with_holes(inside, allowed, box, seed);
}

std::vector<std::uint8_t> dilate(const std::vector<std::uint8_t>& region, int w, int h, int radius) {
  Box box;
  box.w = w;
  box.h = h;
  return scarscope::dilate(region, box, radius);
}

void harmonic_fill(std::vector<float>& values, const std::vector<std::uint8_t>& unknown, int w, int h, double dx_um,
                   double dy_um, bool vectorised) {
  std::vector<float>* channel = &values;
  harmonic_fill_box(Channels(&channel, 1), unknown, w, h, dx_um, dy_um, vectorised && kVectorised);
}
}  // namespace detail

}  // namespace scarscope
