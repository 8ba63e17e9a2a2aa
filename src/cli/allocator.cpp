// The CLI's allocator settings. With SCARSCOPE_JEMALLOC (the default build) the executable links
// jemalloc, which replaces malloc and operator new for the whole process.
//
// Why jemalloc (bench/RESULTS.md, issue 16, 2026-12-05): under 32 keep-alive clients glibc's
// malloc took about a fifth of the server's CPU, most of it malloc_consolidate called for the 4 KB
// buffer httplib allocates for every request. In A/B runs of the same server (jemalloc, tcmalloc,
// mimalloc and glibc preloaded in turn), reads slower than 5 ms inside the server fell from
// 0.8-1.0 % to 0.3-0.5 % with jemalloc, and the read p99 at the client from 14-15 ms to 9-11 ms.
//
// oversize_threshold:0 keeps large blocks (height maps of tens of MB) in the ordinary arenas:
// jemalloc's default gives blocks of 8 MB and more an arena of their own that returns them to the
// kernel at once, so an analysis batch paid for fresh zeroed pages at every scan (5 times glibc's
// page faults and 3 times its system time over the 66 tuning scans). With it, the batch has
// glibc's page faults and CPU time.
#ifdef SCARSCOPE_JEMALLOC
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "oversize_threshold:0";
}
#endif
