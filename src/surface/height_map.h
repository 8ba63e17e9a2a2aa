// HeightMap: a regular grid of heights in micrometres with a validity mask and its metadata.
// Every part of ScarScope exchanges surfaces as HeightMaps.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace scarscope {

namespace detail {
// A block of at least 8 MB (a scan's heights, mask and grids) is allocated in whole 2 MB pages
// that the kernel is asked to back with huge pages (madvise MADV_HUGEPAGE; a hint, ignored where
// unsupported): the pages of a fresh map then fault in 512 at a time. Smaller blocks: operator new.
void* allocate_block(std::size_t bytes);
void deallocate_block(void* block, std::size_t bytes) noexcept;

// std::allocator, except that an element constructed without a value is default-initialised: a
// vector of floats or bytes resized with it is not zero-filled (HeightMap::for_overwrite); its
// storage comes from allocate_block.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(allocate_block(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { deallocate_block(p, n * sizeof(T)); }
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
}  // namespace detail

// Where a height map came from, and what the reader had to tolerate.
struct HeightMapMetadata {
  std::string source_file;    // path as given by the user, or empty
  std::string source_format;  // "x3p", "tiff", "png", "csv", "xyz", "ply", "synthetic"
  std::string instrument;     // manufacturer / model / serial where known
  std::string date;           // ISO 8601, as stored in the file
  std::string comment;
  std::vector<std::string> warnings;  // what the reader tolerated ("stale md5 checksum ...")
  std::optional<bool> checksum_ok;    // set by formats that carry a checksum
};

// Heights are float32 micrometres, row-major, row 0 first; x = column * dx, y = row * dy.
// Missing points have mask 0 and height NaN. Cheap to move, copied only with clone().
class HeightMap {
 public:
  HeightMap() = default;
  // nx columns by ny rows, all valid and zero. Throws InputError on non-positive sizes or spacings.
  HeightMap(int nx, int ny, double dx_um, double dy_um);
  // The same map with its heights and mask left unset (not zero-filled), for readers that write
  // every point themselves: reading a value before writing it is a bug.
  static HeightMap for_overwrite(int nx, int ny, double dx_um, double dy_um);

  HeightMap(HeightMap&&) noexcept = default;
  HeightMap& operator=(HeightMap&&) noexcept = default;
  HeightMap(const HeightMap&) = delete;
  HeightMap& operator=(const HeightMap&) = delete;
  HeightMap clone() const;

  int nx() const { return nx_; }
  int ny() const { return ny_; }
  std::size_t size() const { return heights_.size(); }
  bool empty() const { return heights_.empty(); }
  double dx_um() const { return dx_um_; }
  double dy_um() const { return dy_um_; }
  // Throws InputError unless both spacings are finite and positive.
  void set_spacing(double dx_um, double dy_um);

  float height(int row, int col) const { return heights_[index(row, col)]; }
  bool valid(int row, int col) const { return mask_[index(row, col)] != 0; }
  // Sets a finite height and marks the point valid; a non-finite value marks it missing.
  void set(int row, int col, float height_um);
  void set_missing(int row, int col);

  // Raw access for algorithms (and for wrapping as cv::Mat without copying).
  float* heights() { return heights_.data(); }
  const float* heights() const { return heights_.data(); }
  std::uint8_t* mask() { return mask_.data(); }
  const std::uint8_t* mask() const { return mask_.data(); }
  std::size_t index(int row, int col) const {
    return static_cast<std::size_t>(row) * static_cast<std::size_t>(nx_) + static_cast<std::size_t>(col);
  }

  std::size_t valid_count() const;
  // Marks every non-finite height missing and every missing height NaN, so the two agree.
  void normalize_missing();

  HeightMapMetadata metadata;

 private:
  int nx_ = 0;
  int ny_ = 0;
  double dx_um_ = 1.0;
  double dy_um_ = 1.0;
  std::vector<float, detail::DefaultInitAllocator<float>> heights_;
  std::vector<std::uint8_t, detail::DefaultInitAllocator<std::uint8_t>> mask_;
};

}  // namespace scarscope
