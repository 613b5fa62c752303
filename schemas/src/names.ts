// The one key user names are compared by: sign-up's uniqueness, sign-in's and invitations' lookup,
// and the `users.name_key` column the database keeps unique.

/**
 * The comparison key of a user name: Unicode NFKC (compatibility look-alikes such as full-width
 * "ＡＬＩＣＥ" or the ligature "ﬁ" become their plain letters), then case-folded (upper- then
 * lower-casing folds "ſ", final "ς" and the like together with their plain forms), then NFKC again
 * (casing can denormalise). "ALICE_T1", "alice_t1" and "ａｌｉｃｅ＿ｔ１" share one key. Pure and
 * locale-independent, so OFB and the database (which stores what this answers) always agree.
 */
export function userNameKey(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}
