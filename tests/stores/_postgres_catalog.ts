// What a schema is made of, as PostgreSQL describes it: every function's
// definition, every index and constraint, every column and sequence. Two
// schemas built by the same migrations dump alike once their names are
// replaced by one placeholder.
import type postgres from "postgres";

/** One line per object, sorted, the schema's name replaced by `{{schema}}`. */
export async function dumpCatalog(sql: postgres.Sql, schema: string): Promise<string[]> {
  const rows = await sql.unsafe(
    `SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') '
         || pg_get_functiondef(p.oid) AS line
       FROM pg_proc p WHERE p.pronamespace = $1::text::regnamespace
     UNION ALL
     SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = $1
     UNION ALL
     SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' '
         || pg_get_constraintdef(c.oid)
       FROM pg_constraint c WHERE c.connamespace = $1::text::regnamespace
     UNION ALL
     SELECT 'column ' || concat_ws(' | ', table_name, ordinal_position, column_name, data_type,
         is_nullable, column_default, is_identity, is_generated, generation_expression)
       FROM information_schema.columns WHERE table_schema = $1
     UNION ALL
     SELECT 'sequence ' || concat_ws(' | ', sequencename, data_type, start_value, min_value,
         max_value, increment_by, cycle)
       FROM pg_sequences WHERE schemaname = $1`,
    [schema],
  );
  return rows.map((row) => (row.line as string).split(schema).join("{{schema}}")).sort();
}
