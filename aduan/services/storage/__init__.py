"""Storage: where attachment bytes live, behind one seam (``base.AttachmentStore``: put, open,
exists, iter_keys), so the web host serves what a worker on another host stored. Backends: the
local folder (``local``, the embedded default), the database (``database``: a table of blobs,
for production) and an S3-compatible bucket (``s3``); ``selection`` picks one from
``ADUAN_ATTACHMENT_STORE``; ``migration`` copies every file from one store to another.
"""
