import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LTIJS = [
  { name: 'ltijs', message: 'Only src/lti/ imports ltijs.' },
  { name: 'ltijs-sequelize', message: 'Only src/lti/ imports ltijs-sequelize.' },
];
const SEQUELIZE = [
  {
    name: 'sequelize',
    message: 'Only repositories, models and src/db/ touch Sequelize (services take a db/unit-of-work.ts unit instead).',
  },
];
const EXPRESS = [
  { name: 'express', message: 'Only routes, pages, controllers, middleware and src/web/ touch express.' },
  { name: 'cookie-parser', message: 'Only routes, pages, controllers, middleware and src/web/ touch express.' },
];
const restrict = (...paths) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths: paths.flat() }] });
const typesOnly = (paths) => paths.map((p) => ({ ...p, allowTypeImports: true }));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      curly: 'error',
    },
  },
  // Boundaries (STYLE.md). Later blocks override earlier ones for the files they name.
  // Services (everything not named below) touch none of ltijs, Sequelize or express, so they
  // never hold a Sequelize Transaction in their API either.
  { files: ['src/**/*.ts'], rules: restrict(LTIJS, SEQUELIZE, EXPRESS) },
  { files: ['src/**/*.repository.ts', 'src/**/*.model.ts', 'src/db/**/*.ts'], rules: restrict(LTIJS, EXPRESS) },
  {
    files: ['src/**/*.routes.ts', 'src/**/*.pages.ts', 'src/**/*.controller.ts', 'src/**/*.middleware.ts', 'src/web/**/*.ts', 'src/app.ts'],
    rules: restrict(LTIJS, SEQUELIZE),
  },
  // The composition roots wire repositories to a connection and the app together: types only.
  { files: ['src/bootstrap.ts', 'src/domain.ts'], rules: restrict(LTIJS, typesOnly(SEQUELIZE), typesOnly(EXPRESS)) },
  // The LTI layer is ltijs's glue: ltijs is an express app, and its storage plugin is Sequelize.
  { files: ['src/lti/**/*.ts'], rules: restrict(SEQUELIZE) },
  {
    files: ['src/lti/*.repository.ts', 'src/lti/lti-database.ts', 'src/lti/ltijs-storage-migrations.ts', 'src/lti/ltijs.d.ts'],
    rules: restrict(),
  },
  // The simulated LMS is a separate platform (its own express app) that only tests and the demo mount.
  { files: ['src/lms-sim/**/*.ts'], rules: restrict(LTIJS, SEQUELIZE) },
);
