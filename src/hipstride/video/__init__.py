"""The form check from a video: landmarks in, running-form metrics out.

``landmarks`` holds the one array form (:class:`LandmarkSequence`) and hipstride's landmark file;
``pose`` is the only module that touches the pose model (mediapipe, imported on first use);
``openpose`` reads OpenPose BODY_25 JSON; the engine (``contacts``, ``side``, ``rear``, ``quality``,
``check``) is pure NumPy over landmark arrays and never imports the model.
"""
