"""Fine-tuning photoface's face model with the FaceNet triplet loss (issue #5).

Pieces, each small and tested on its own: ``losses`` (triplet and harmonic
triplet loss), ``miners`` (online semi-hard mining), ``sampler`` (P x K
batches), ``data`` (labelled faces from a library or a folder), ``heads``
(embedding heads over the model's features), ``train`` (the loop) and
``evaluate`` (LFW protocol for any checkpoint).
"""
