"""From one fused kernel to a callable: lowering, the C and CUDA renderers, the compilers and the cache."""
