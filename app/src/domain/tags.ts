/** The most tags one transaction carries, and the longest tag. */
export const MAX_TAGS = 20;
export const MAX_TAG_LENGTH = 50;
