-- PostgreSQL pins its path columns to byte order (see its 0026). SQLite compares text as bytes
-- (BINARY) unless told otherwise, so there is nothing to change here.
SELECT 1;
