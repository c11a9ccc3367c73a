/* lazygrad C prelude: what generated C kernels include. The helpers themselves are shared with
 * the CUDA back end (lg_helpers.h); here they are plain inline C, and max/min get OpenMP
 * user-defined reductions so reductions over them vectorize and run in parallel. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <math.h>
#include "lg_math.h"

#define LG_FN static inline
#include "lg_helpers.h"

#pragma omp declare reduction(lg_maxf : float : omp_out = lg_maxf(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(lg_minf : float : omp_out = lg_minf(omp_out, omp_in)) initializer(omp_priv = INFINITY)
#pragma omp declare reduction(lg_max : double : omp_out = lg_max(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(lg_min : double : omp_out = lg_min(omp_out, omp_in)) initializer(omp_priv = INFINITY)
#pragma omp declare reduction(lg_logaddexpf : float : omp_out = lg_logaddexpf(omp_out, omp_in)) initializer(omp_priv = -INFINITY)
#pragma omp declare reduction(lg_logaddexp : double : omp_out = lg_logaddexp(omp_out, omp_in)) initializer(omp_priv = -INFINITY)

