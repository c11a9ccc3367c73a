/* The thread count of the OpenMP runtime the kernels link: io[0] > 0 sets it for the calling
   thread, io[1] receives the count its next parallel region will use (1 without OpenMP). */
#ifdef _OPENMP
#include <omp.h>
#endif

void lg_omp_threads(void *io_)
{
    int *io = (int *)io_;
#ifdef _OPENMP
    if (io[0] > 0)
        omp_set_num_threads(io[0]);
    io[1] = omp_get_max_threads();
#else
    io[1] = 1;
#endif
}
