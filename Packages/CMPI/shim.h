// OpenMPI, the engine behind Graft's data-parallel runs (pkg-config `ompi-c`). MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE) are macros over library globals that Swift
// cannot import, so the few calls Graft makes are wrapped here as static inline functions on
// MPI_COMM_WORLD. Only Sources/GraftDistributed calls them. Each returns MPI's error code.
#include <mpi.h>
#include <stdint.h>

static inline int graft_mpi_init(int *rank, int *size) {
  int provided = 0, initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS) return rc;
  }
  // Errors come back as codes (Graft reports them and aborts the job itself).
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  return MPI_Comm_size(MPI_COMM_WORLD, size);
}

static inline int graft_mpi_finalize(void) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  return finalized ? MPI_SUCCESS : MPI_Finalize();
}

static inline int graft_mpi_allreduce_sum_float(float *buffer, int count) {
  return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

static inline int graft_mpi_allreduce_sum_double(double *buffer, int count) {
  return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

static inline int graft_mpi_broadcast(void *buffer, int bytes, int root) {
  return MPI_Bcast(buffer, bytes, MPI_BYTE, root, MPI_COMM_WORLD);
}

/// Gathers one int64 from every rank into `out` (size entries).
static inline int graft_mpi_allgather_int64(int64_t value, int64_t *out) {
  return MPI_Allgather(&value, 1, MPI_INT64_T, out, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

/// Gathers `count` bytes from every rank into `out`, rank r's at `displacements[r]`.
static inline int graft_mpi_allgatherv_bytes(const void *local, int count, void *out, const int *counts,
                                             const int *displacements) {
  return MPI_Allgatherv(local, count, MPI_BYTE, out, counts, displacements, MPI_BYTE, MPI_COMM_WORLD);
}

static inline int graft_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

static inline void graft_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

/// MPI's text for an error code, into `buffer` (at least MPI_MAX_ERROR_STRING bytes).
static inline void graft_mpi_error_string(int code, char *buffer, int capacity) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
  if (length >= capacity) length = capacity - 1;
  for (int i = 0; i < length; i++) buffer[i] = text[i];
  buffer[length < 0 ? 0 : length] = 0;
}
