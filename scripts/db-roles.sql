-- The application's database role: it reads and writes rows and owns nothing.
--
-- Evidence tables (the case timeline, issued letters) refuse UPDATE and DELETE through
-- triggers, but a table's owner can still TRUNCATE it, or drop the trigger. So the web,
-- worker and beat processes connect as a role that owns no table: it cannot TRUNCATE, ALTER
-- or DROP anything. Migrations run as the owner, which creates every table; the default
-- privileges below give the application role rights on each new table as it is created.
--
-- psql -v owner_role=... -v app_role=... -v app_password=... -v dbname=... -f db-roles.sql
-- Safe to run again. Without app_password it only grants, to a role that must exist: how
-- `manage.py restore` gives the restored tables back to the application's role.

\if :{?app_password}
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'app_role', :'app_password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app_role') \gexec
SELECT format('ALTER ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE',
              :'app_role', :'app_password') \gexec
\endif

GRANT CONNECT ON DATABASE :"dbname" TO :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
