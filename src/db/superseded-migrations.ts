/**
 * Earlier texts of migrations that were edited once applied, by version: their sha256. A
 * database that recorded one of these is accepted as if it had applied today's file.
 *
 * Why each edit is safe, and may be made at all:
 * - 5 to 8: the functions they created (waking_overlap, match_select_candidate, match_claim,
 *   match_process_search, match_second_chance, search_start, search_cancel) moved to
 *   src/db/functions, and nothing else changed. A database that ran the old texts holds
 *   those functions as well; the function step replaces them from the files, so it ends
 *   exactly where a fresh database does. test/fixtures/migrations-before-functions holds the
 *   old texts, and a test migrates a database from them.
 *
 * The record keeps the checksum of the text that was actually applied, so an older release
 * (which knows only those texts) still starts on a database this one has migrated.
 */
export const SUPERSEDED_CHECKSUMS: ReadonlyMap<number, readonly string[]> = new Map([
  [5, ['cb1c755cce3d22819aec17e4dc5038e3dbc47e383935458472bf4235f1007c80']],
  [6, ['7aefc8cadf59134cf8182d8c245d5c9d146c4a48117c82ab71648f44e43a8ac6']],
  [7, ['9d174c35effc0060a26009e168fdca6db1b43977004e8e0cf03392700d27489d']],
  [8, ['cccbcb270fd25e1eec5772eed8188199313c9768aacecc7e2eefa1e610f5fd00']],
]);
