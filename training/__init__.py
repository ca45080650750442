"""modstream training pipeline: fine-tune, export, quantize, calibrate, evaluate."""
