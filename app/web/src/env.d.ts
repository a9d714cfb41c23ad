// Stylesheets imported for their side effect: Vite extracts them into hashed CSS files.
declare module "*.css";
