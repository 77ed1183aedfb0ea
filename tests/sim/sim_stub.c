/* Placeholder: the drive simulator lands with the foundation issue. */
int kesu_sim_placeholder(void);
int kesu_sim_placeholder(void) { return 0; }
