"""Sources: documents a user brings (uploads, web pages, pasted text), their text extracted once and kept in the
blob storage port; jobs name them by id."""
